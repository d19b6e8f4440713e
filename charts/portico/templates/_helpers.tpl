{{/* Labels shared by every object; selectors use the name and component only. */}}
{{- define "portico.labels" -}}
app.kubernetes.io/name: portico
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The fleet the Envoys belong to: the class's parameters.spec.fleet, else the class name. */}}
{{- define "portico.fleet" -}}
{{- .Values.ingressClass.parameters.spec.fleet | default .Values.ingressClass.name -}}
{{- end }}

{{/* The Secret holding the fleet's xDS client certificate (tls.crt, tls.key, ca.crt). */}}
{{- define "portico.xdsClientSecret" -}}
{{- .Values.envoy.xdsClientSecret | default (printf "portico-xds-client-%s" (include "portico.fleet" .)) -}}
{{- end }}

{{/* The Envoy pod template's container and volumes, shared by the DaemonSet and Deployment. */}}
{{- define "portico.envoyPodSpec" -}}
automountServiceAccountToken: false
terminationGracePeriodSeconds: 60
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
    args: ["-c", "/etc/envoy/envoy.yaml", "--service-node", "$(POD_NAME)", "--disable-hot-restart", "--log-level", {{ .Values.envoy.logLevel | quote }}]
    env:
      - name: POD_NAME
        valueFrom: {fieldRef: {fieldPath: metadata.name}}
    ports:
      - name: http
        containerPort: {{ dig "listeners" "http" "port" 8080 .Values.ingressClass.parameters.spec }}
        {{- if eq .Values.envoy.kind "DaemonSet" }}
        hostPort: {{ .Values.envoy.hostPorts.http }}
        {{- end }}
        protocol: TCP
      - name: https
        containerPort: {{ dig "listeners" "https" "port" 8443 .Values.ingressClass.parameters.spec }}
        {{- if eq .Values.envoy.kind "DaemonSet" }}
        hostPort: {{ .Values.envoy.hostPorts.https }}
        {{- end }}
        protocol: TCP
    readinessProbe:
      tcpSocket: {port: http}
      periodSeconds: 5
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
    configMap: {name: envoy-bootstrap}
  # The fleet's client certificate for the xDS connection (written by the operator's leader, or
  # envoy.xdsClientSecret of your own); the pod waits in ContainerCreating until it exists.
  - name: xds-tls
    secret: {secretName: {{ include "portico.xdsClientSecret" . }}, defaultMode: 0440}
{{- end }}
