{{/* Labels every object carries; component is passed in. */}}
{{- define "lbgate.labels" -}}
app.kubernetes.io/name: lbgate
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: lbgate
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The controller pods; the webhook objectSelector and the Services rely on these two. */}}
{{- define "lbgate.selectorLabels" -}}
app.kubernetes.io/name: lbgate
app.kubernetes.io/component: controller
{{- end -}}

{{- define "lbgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
lbgate-controller
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "lbgate.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace -}}
{{- end -}}

{{- define "lbgate.selfManaged" -}}
{{- if eq .Values.webhook.certMode "self-managed" -}}true{{- end -}}
{{- end -}}

{{/* Fails the render on values the controller would refuse at start-up. */}}
{{- define "lbgate.validate" -}}
{{- if not (has .Values.webhook.certMode (list "self-managed" "dir")) -}}
{{- fail (printf "webhook.certMode must be self-managed or dir, not %q" .Values.webhook.certMode) -}}
{{- end -}}
{{- if not (has .Values.logFormat (list "json" "text")) -}}
{{- fail (printf "logFormat must be json or text, not %q" .Values.logFormat) -}}
{{- end -}}
{{- if not (has .Values.logLevel (list "error" "warn" "info" "debug" "trace")) -}}
{{- fail (printf "logLevel must be error, warn, info, debug or trace, not %q" .Values.logLevel) -}}
{{- end -}}
{{- if and (eq .Values.webhook.certMode "dir") (not .Values.webhook.certManager.enabled) (not .Values.webhook.caBundle) -}}
{{- fail "webhook.certMode=dir needs webhook.caBundle or webhook.certManager.enabled=true" -}}
{{- end -}}
{{- end -}}

{{/* Annotation that lets cert-manager write the caBundle, in dir mode with cert-manager. */}}
{{- define "lbgate.webhookAnnotations" -}}
{{- if and (eq .Values.webhook.certMode "dir") .Values.webhook.certManager.enabled }}
annotations:
  cert-manager.io/inject-ca-from: {{ printf "%s/lbgate-serving-cert" .Release.Namespace }}
{{- end }}
{{- end -}}

{{/* caBundle line, only when the installer provides the CA. */}}
{{- define "lbgate.caBundle" -}}
{{- if and (eq .Values.webhook.certMode "dir") (not .Values.webhook.certManager.enabled) }}
caBundle: {{ .Values.webhook.caBundle }}
{{- end }}
{{- end -}}
