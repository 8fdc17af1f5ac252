{{/*
Expand the name of the chart.
*/}}
{{- define "catalog.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "catalog.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "catalog.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The worker's pod template: its pods run under catalog-worker and bind the worker identity.
*/}}
{{- define "catalog.workerPod" -}}
template:
  metadata:
    labels:
      app.kubernetes.io/component: worker
      azure.workload.identity/use: "true"
  spec:
    serviceAccountName: catalog-worker
    containers:
      - name: worker
        image: "{{ .Values.image.repository }}-worker:{{ .Values.image.tag | default .Chart.AppVersion }}"
        args: ["--index", "products"]
{{- end }}
