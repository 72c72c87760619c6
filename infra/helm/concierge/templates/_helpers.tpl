{{- define "concierge.fullname" -}}
{{- printf "%s-concierge" .Release.Name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{- define "concierge.labels" -}}
app.kubernetes.io/name: concierge
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "concierge.selector" -}}
app.kubernetes.io/name: concierge
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "concierge.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{/* A secret by reference: name and key, never the value. */}}
{{- define "concierge.secretEnv" -}}
- name: {{ .name | default .key }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.secrets.existingSecret }}
      key: {{ .key }}
{{- if .optional }}
      optional: true
{{- end }}
{{- end -}}

{{/* Environment shared by the apps and the worker. */}}
{{- define "concierge.env" -}}
- name: NODE_ENV
  value: production
- name: CONCIERGE_ENV
  value: production
{{- range $k := list "DATABASE_URL" "DATABASE_OPS_URL" "REDIS_URL" "LIVEKIT_API_KEY" "LIVEKIT_API_SECRET" "METRICS_TOKEN" }}
{{ include "concierge.secretEnv" (dict "root" $ "key" $k) }}
{{- end }}
- name: LIVEKIT_URL
  value: {{ .Values.urls.livekit | quote }}
- name: LIVEKIT_API_URL
  value: "http://{{ include "concierge.fullname" . }}-livekit:{{ .Values.livekit.ports.http }}"
- name: ADDRESS_HEADER
  value: X-Forwarded-For
- name: XFF_DEPTH
  value: "1"
{{- range $k, $v := .Values.env }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end -}}

{{- define "concierge.tmpVolume" -}}
- name: tmp
  emptyDir: {}
{{- end -}}
