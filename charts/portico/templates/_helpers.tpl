{{/* Labels shared by every object; selectors use the name, the instance and the component. */}}
{{- define "portico.labels" -}}
app.kubernetes.io/name: portico
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels: two releases in one namespace never select each other's pods. */}}
{{- define "portico.selectorLabels" -}}
app.kubernetes.io/name: portico
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Names. Namespaced objects start with the release name (the operator's Deployment, Service,
ServiceAccount, Roles, Lease and xDS Secrets are <release>..., the fleet's <release>-envoy...), so
two releases share a namespace. Cluster-scoped ones (ClusterRole, ClusterRoleBinding, the
admission webhook configuration) are `portico` for the default install (release portico in
portico-system) and <release>.<namespace> for every other: a namespace has no dot, so the part
after the last dot names it, and no two releases get one name (with "-", release portico-foo in
portico-system and release portico in foo would).
*/}}
{{- define "portico.clusterScopedName" -}}
{{- if and (eq .Release.Name "portico") (eq .Release.Namespace "portico-system") }}portico{{ else }}{{ printf "%s.%s" .Release.Name .Release.Namespace }}{{ end -}}
{{- end }}

{{- define "portico.envoyName" -}}
{{- printf "%s-envoy" .Release.Name -}}
{{- end }}

{{/*
The IngressClass spec.controller this release serves (portico serve --controller-name):
controllerName when set; portico.dev/ingress-controller for the default install (release portico
in portico-system), so existing installs keep their classes; else portico.dev/<namespace>/<release>,
so every release serves only its own classes.
*/}}
{{- define "portico.controllerName" -}}
{{- if .Values.controllerName }}{{ .Values.controllerName }}
{{- else if and (eq .Release.Name "portico") (eq .Release.Namespace "portico-system") }}portico.dev/ingress-controller
{{- else }}{{ printf "portico.dev/%s/%s" .Release.Namespace .Release.Name }}
{{- end -}}
{{- end }}

{{/*
Kubernetes 1.31 or newer (the CRDs' validation rules use isIP and quantity). Checked only against
a real cluster: without one (helm template without --kube-version) helm reports its built-in
v1.20.0, which says nothing about where the chart will go.
*/}}
{{- define "portico.checkKubeVersion" -}}
{{- $version := .Capabilities.KubeVersion.Version }}
{{- if and (ne $version "v1.20.0") (semverCompare "<1.31.0-0" $version) }}
{{- fail (printf "Portico needs Kubernetes 1.31 or newer; this cluster is %s" $version) }}
{{- end }}
{{- end }}

{{/* The fleet the Envoys belong to: the class's parameters.spec.fleet, else the class name. */}}
{{- define "portico.fleet" -}}
{{- .Values.ingressClass.parameters.spec.fleet | default .Values.ingressClass.name -}}
{{- end }}

{{/* The Secret holding the fleet's xDS client certificate (tls.crt, tls.key, ca.crt). */}}
{{- define "portico.xdsClientSecret" -}}
{{- .Values.envoy.xdsClientSecret | default (printf "%s-xds-client-%s" .Release.Name (include "portico.fleet" .)) -}}
{{- end }}

{{/* The Envoy pod template's container and volumes, shared by the DaemonSet and Deployment. */}}
{{- define "portico.envoyPodSpec" -}}
{{- $http := dig "listeners" "http" "port" 8080 .Values.ingressClass.parameters.spec | int }}
{{- $https := dig "listeners" "https" "port" 8443 .Values.ingressClass.parameters.spec | int }}
{{- if or (lt $http 1024) (lt $https 1024) }}
{{- fail "ingressClass.parameters.spec.listeners ports must be 1024 or above: Envoy runs as non-root without capabilities (put 80/443 in envoy.hostPorts or the Service)" }}
{{- end }}
automountServiceAccountToken: false
# The preStop hook drains for --drain-time-s (20 s) and sleeps 25 s; Envoy then exits on SIGTERM.
terminationGracePeriodSeconds: 60
{{- with .Values.envoy.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 101
  runAsGroup: 101
  # The client Secret's files are group-readable (0440) by Envoy's group only.
  fsGroup: 101
  seccompProfile: {type: RuntimeDefault}
containers:
  - name: envoy
    image: {{ .Values.envoy.image }}
    imagePullPolicy: {{ .Values.envoy.pullPolicy }}
    args: ["-c", "/etc/envoy/envoy.yaml", "--service-node", "$(POD_NAME)", "--disable-hot-restart", "--drain-time-s", "20", "--log-level", {{ .Values.envoy.logLevel | quote }}]
    env:
      - name: POD_NAME
        valueFrom: {fieldRef: {fieldPath: metadata.name}}
    ports:
      # The listener ports of the class's parameters (the same values render both).
      - name: http
        containerPort: {{ $http }}
        {{- if eq .Values.envoy.kind "DaemonSet" }}
        hostPort: {{ .Values.envoy.hostPorts.http }}
        {{- end }}
        protocol: TCP
      - name: https
        containerPort: {{ $https }}
        {{- if eq .Values.envoy.kind "DaemonSet" }}
        hostPort: {{ .Values.envoy.hostPorts.https }}
        {{- end }}
        protocol: TCP
    # Envoy's admin listens on 127.0.0.1:9901 only, out of the kubelet's reach: the probes and the
    # preStop hook talk to it from inside the container (bash's /dev/tcp; the image has no curl).
    # Ready: /ready answers 200 (LIVE: not draining) and the HTTP listener is open. /ready alone
    # turns LIVE 15 s after start even when Portico never answered (the initial fetch timeout),
    # with no listener at all; Portico's listener being there says the configuration arrived.
    readinessProbe:
      exec:
        command: ["/bin/bash", "-c", {{ include "portico.envoyAdmin" (dict "request" "GET /ready" "check" (printf "[ \"$code\" = 200 ] && exec 4<>/dev/tcp/127.0.0.1/%d" $http)) | quote }}]
      periodSeconds: 5
      timeoutSeconds: 3
    # Alive: the admin answers at all (/ready is 503 while it waits for Portico or drains).
    livenessProbe:
      exec:
        command: ["/bin/bash", "-c", {{ include "portico.envoyAdmin" (dict "request" "GET /ready" "check" "[ -n \"$code\" ]") | quote }}]
      initialDelaySeconds: 10
      periodSeconds: 10
      timeoutSeconds: 3
      failureThreshold: 3
    lifecycle:
      # Draining: /healthcheck/fail turns /ready 503 (readiness fails at once), then
      # /drain_listeners?graceful tells connections to close (HTTP/1 Connection: close, HTTP/2
      # GOAWAY) while the listeners keep accepting for --drain-time-s; then Envoy gets SIGTERM.
      preStop:
        exec:
          command: ["/bin/bash", "-c", {{ printf "(%s); (%s); sleep 25" (include "portico.envoyAdmin" (dict "request" "POST /healthcheck/fail" "check" "true")) (include "portico.envoyAdmin" (dict "request" "POST /drain_listeners?graceful" "check" "true")) | quote }}]
    resources:
      {{- toYaml .Values.envoy.resources | nindent 6 }}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    volumeMounts:
      - {name: bootstrap, mountPath: /etc/envoy, readOnly: true}
      # Never with subPath: the kubelet then stops updating the files, and a renewed certificate
      # would never reach Envoy.
      - {name: xds-tls, mountPath: /etc/portico/xds-tls, readOnly: true}
volumes:
  - name: bootstrap
    configMap: {name: {{ include "portico.envoyName" . }}-bootstrap}
  # The fleet's client certificate for the xDS connection (written by the operator's leader, or
  # envoy.xdsClientSecret of your own); the pod waits in ContainerCreating until it exists.
  - name: xds-tls
    secret: {secretName: {{ include "portico.xdsClientSecret" . }}, defaultMode: 288}  # 0440: read by owner and group (decimal, so YAML 1.1 and 1.2 read it alike)
{{- end }}

{{/* One HTTP/1.1 request to Envoy's admin (127.0.0.1:9901), its status code in $code, then "check". */}}
{{- define "portico.envoyAdmin" -}}
exec 3<>/dev/tcp/127.0.0.1/9901 && printf '{{ .request }} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' >&3 && read -r -t 2 _ code _ <&3 && {{ .check }}
{{- end }}
