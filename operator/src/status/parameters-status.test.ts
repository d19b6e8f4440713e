import { describe, expect, it } from 'vitest';
import { buildEnvoyConfig } from '../pipeline.js';
import { classIngressYaml, ingressClassYaml, parametersYaml } from '../test-support/parameters-yaml.js';
import { stateFromYaml } from '../test-support/translate-yaml.js';
import { ingressStatusTargets } from './ingress-status-targets.js';
import { desiredParametersStatuses, statusUpToDate } from './parameters-status.js';

const NOW = new Date('2026-01-02T03:04:05.678Z');

function statuses(...docs: string[]) {
  const state = stateFromYaml(...docs);
  return desiredParametersStatuses(state, buildEnvoyConfig(state).classes, NOW).map((d) => [
    `${d.object.kind} ${d.object.metadata.namespace ?? ''}/${d.object.metadata.name ?? ''}`,
    d.status.conditions[0]?.status,
    d.status.conditions[0]?.reason,
    d.status.conditions[0]?.message,
    d.status.ingressClasses,
  ]);
}

describe('parameters status', () => {
  it('says whether each parameters object is valid, in use, and by which classes', () => {
    expect(
      statuses(
        ingressClassYaml({ name: 'a', parameters: 'team/shared' }),
        ingressClassYaml({ name: 'b', parameters: 'team/shared' }),
        ingressClassYaml({ name: 'c', parameters: 'broken' }),
        ingressClassYaml({ name: 'd', parameters: 'dup' }),
        parametersYaml('team/shared', {}),
        parametersYaml('team/unused', {}),
        parametersYaml('broken', { timeouts: { connect: '0s' } }),
        parametersYaml('dup', { fleet: 'a' }),
      ),
    ).toEqual([
      ['IngressClassParameters team/shared', 'True', 'Accepted', 'in use by IngressClass a, b', ['a', 'b']],
      ['IngressClassParameters team/unused', 'True', 'NotInUse', 'valid; no IngressClass refers to it', []],
      ['ClusterIngressClassParameters /broken', 'False', 'Invalid', 'spec.timeouts.connect: must be greater than 0s. IngressClass c keeps serving the last good configuration.', ['c']],
      ['ClusterIngressClassParameters /dup', 'False', 'Conflict', 'IngressClass d: spec.parameters: ClusterIngressClassParameters dup: spec.fleet "a" is already served by IngressClass a; give each class its own fleet; the class keeps serving its last good configuration', ['d']],
    ]);
  });

  it('keeps lastTransitionTime while the condition stays the same, and needs no write then', () => {
    const docs = [ingressClassYaml({ name: 'a', parameters: 'p' })];
    const first = desiredParametersStatuses(stateFromYaml(...docs, parametersYaml('p', {})), buildEnvoyConfig(stateFromYaml(...docs, parametersYaml('p', {}))).classes, NOW)[0];
    expect(first?.status.conditions[0]?.lastTransitionTime).toBe('2026-01-02T03:04:05Z');
    const withStatus = `${parametersYaml('p', {})}\nstatus: ${JSON.stringify(first?.status)}`;
    const state = stateFromYaml(...docs, withStatus);
    const again = desiredParametersStatuses(state, buildEnvoyConfig(state).classes, new Date('2027-01-01T00:00:00Z'))[0];
    expect(again?.status.conditions[0]?.lastTransitionTime).toBe('2026-01-02T03:04:05Z');
    expect(again && statusUpToDate(again.object, again.status)).toBe(true);
  });
});

describe('parameters status with two installs', () => {
  const OTHER = { controllerName: 'portico.dev/portico-two/portico2' };
  const docs = [
    ingressClassYaml({ name: 'one', parameters: 'ns1/one' }),
    ingressClassYaml({ name: 'two', parameters: 'ns2/two' }).replace('portico.dev/ingress-controller', OTHER.controllerName),
    parametersYaml('ns1/one', {}),
    parametersYaml('ns2/two', {}),
    parametersYaml('ns2/spare', {}),
  ];
  const written = (ownership?: typeof OTHER) => {
    const state = stateFromYaml(...docs);
    return desiredParametersStatuses(state, buildEnvoyConfig(state, Date.now(), ownership).classes, NOW, ownership).map((d) => [
      d.object.metadata.name,
      d.status.conditions[0]?.reason,
      d.status.ingressClasses,
    ]);
  };

  it('each install writes only the parameters its own classes use, and both the same status for unused ones', () => {
    expect(written()).toEqual([
      ['one', 'Accepted', ['one']],
      ['spare', 'NotInUse', []],
    ]);
    expect(written(OTHER)).toEqual([
      ['spare', 'NotInUse', []],
      ['two', 'Accepted', ['two']],
    ]);
  });

  it('parameters shared by classes of both installs have one writer: the install of the first class by name', () => {
    const shared = [
      ingressClassYaml({ name: 'alpha', parameters: 'ns1/shared' }),
      ingressClassYaml({ name: 'beta', parameters: 'ns1/shared' }).replace('portico.dev/ingress-controller', OTHER.controllerName),
      parametersYaml('ns1/shared', {}),
    ];
    const writes = (ownership?: typeof OTHER) => {
      const state = stateFromYaml(...shared);
      return desiredParametersStatuses(state, buildEnvoyConfig(state, Date.now(), ownership).classes, NOW, ownership).map((d) => d.object.metadata.name);
    };
    expect(writes()).toEqual(['shared']);
    expect(writes(OTHER)).toEqual([]);
  });
});

describe('the VirtualHostDiscovery condition', () => {
  const conditionsOf = (spec: object) => {
    const docs = [ingressClassYaml({ name: 'a', parameters: 'p' }), parametersYaml('p', spec)];
    const state = stateFromYaml(...docs);
    return desiredParametersStatuses(state, buildEnvoyConfig(state).classes, NOW)[0]?.status.conditions.map((c) => [c.type, c.status, c.reason]);
  };

  it('appears only when VHDS is asked for, and says whether the declared Envoy gets it', () => {
    expect(conditionsOf({})).toEqual([['Accepted', 'True', 'Accepted']]);
    expect(conditionsOf({ envoy: { virtualHostDiscovery: true } })).toEqual([['Accepted', 'True', 'Accepted'], ['VirtualHostDiscovery', 'False', 'EnvoyVersionNotDeclared']]);
    expect(conditionsOf({ envoy: { version: '1.37', virtualHostDiscovery: true } })).toEqual([['Accepted', 'True', 'Accepted'], ['VirtualHostDiscovery', 'False', 'EnvoyVersionTooOld']]);
    expect(conditionsOf({ envoy: { version: '1.40', virtualHostDiscovery: true } })).toEqual([['Accepted', 'True', 'Accepted'], ['VirtualHostDiscovery', 'True', 'Enabled']]);
  });

  it('is not shown for parameters no class uses', () => {
    const state = stateFromYaml(parametersYaml('p', { envoy: { version: '1.40', virtualHostDiscovery: true } }));
    expect(desiredParametersStatuses(state, buildEnvoyConfig(state).classes, NOW)[0]?.status.conditions.map((c) => [c.type, c.reason])).toEqual([['Accepted', 'NotInUse']]);
  });

  it('needs a write when the condition appears or goes away', () => {
    const docs = [ingressClassYaml({ name: 'a', parameters: 'p' })];
    const plain = stateFromYaml(...docs, parametersYaml('p', {}));
    const [before] = desiredParametersStatuses(plain, buildEnvoyConfig(plain).classes, NOW);
    const asking = stateFromYaml(...docs, `${parametersYaml('p', { envoy: { virtualHostDiscovery: true } })}\nstatus: ${JSON.stringify(before?.status)}`);
    const [after] = desiredParametersStatuses(asking, buildEnvoyConfig(asking).classes, NOW);
    expect(after && statusUpToDate(after.object, after.status)).toBe(false);
    const settled = stateFromYaml(...docs, `${parametersYaml('p', { envoy: { virtualHostDiscovery: true } })}\nstatus: ${JSON.stringify(after?.status)}`);
    const [again] = desiredParametersStatuses(settled, buildEnvoyConfig(settled).classes, NOW);
    expect(again && statusUpToDate(again.object, again.status)).toBe(true);
  });
});

describe('ingressStatusTargets', () => {
  it('takes each class address from its parameters, else the flags, and skips held classes', () => {
    const state = stateFromYaml(
      ingressClassYaml({ name: 'fixed', parameters: 'fixed' }),
      ingressClassYaml({ name: 'plain' }),
      ingressClassYaml({ name: 'held', parameters: 'missing' }),
      parametersYaml('fixed', { statusAddress: { addresses: ['lb.example.com', '192.0.2.7'] } }),
      classIngressYaml('one', 'fixed', 'one.example.com', 's'),
      classIngressYaml('two', 'plain', 'two.example.com', 's'),
      classIngressYaml('three', 'held', 'three.example.com', 's'),
    );
    const targets = ingressStatusTargets(state, buildEnvoyConfig(state).classes, { kind: 'fixed', addresses: ['198.51.100.1'] });
    expect(targets.map((t) => [t.ingressClass, t.ingresses.map((i) => i.metadata?.name), t.addresses])).toEqual([
      ['fixed', ['one'], [{ ip: '192.0.2.7' }, { hostname: 'lb.example.com' }]],
      ['plain', ['two'], [{ ip: '198.51.100.1' }]],
    ]);
    expect(ingressStatusTargets(state, buildEnvoyConfig(state).classes, undefined).map((t) => t.ingressClass)).toEqual(['fixed']);
  });
});
