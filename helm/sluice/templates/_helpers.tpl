{{/* Chart name, cut to 63 characters (a DNS label). */}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name for the objects of this release. */}}
{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sluice.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "sluice.labels" -}}
helm.sh/chart: {{ include "sluice.chart" . }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
{{- end }}

{{/* Labels that select the router's pods (they never change after install). */}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sluice.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
The namespaces the router watches: watchNamespaces, or the release's own namespace.
Returned as a JSON list; use with fromJsonArray.
*/}}
{{- define "sluice.watchedNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- .Values.watchNamespaces | uniq | toJson }}
{{- else }}
{{- list .Release.Namespace | toJson }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the router watches namespaces other than its own. */}}
{{- define "sluice.watchesOthers" -}}
{{- range (include "sluice.watchedNamespaces" . | fromJsonArray) }}
{{- if ne . $.Release.Namespace }}true{{ end }}
{{- end }}
{{- end }}

{{/*
How router replicas share pod budgets. auto: local when exactly one replica runs and no
autoscaler can add more, partitioned otherwise. Refuses local with more than one replica,
which would over-admit (each replica would believe it owns every pod's whole budget).
*/}}
{{- define "sluice.coordination" -}}
{{- $mode := .Values.coordination.mode }}
{{- $several := or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled }}
{{- if eq $mode "auto" }}
{{- if $several }}partitioned{{ else }}local{{ end }}
{{- else if and (eq $mode "local") $several }}
{{- fail "coordination.mode local needs replicaCount 1 and autoscaling.enabled false: several replicas would each use every pod's whole budget" }}
{{- else }}
{{- $mode }}
{{- end }}
{{- end }}

{{/* Where the RouterSettings document is mounted. */}}
{{- define "sluice.settingsPath" -}}/etc/sluice/settings.yaml{{- end }}

{{/* Where the TLS Secret (tls.enabled) is mounted. */}}
{{- define "sluice.tlsDir" -}}/etc/sluice-tls{{- end }}

{{/*
True (non-empty) when the router may read Secrets: rbac.readSecrets true, or left unset (null)
while a trafficClass of this release takes its keys from a Secret (apiKeySecretRef).
*/}}
{{- define "sluice.readSecrets" -}}
{{- if eq (toString .Values.rbac.readSecrets) "true" }}true
{{- else if eq (toString .Values.rbac.readSecrets) "<nil>" }}
{{- range .Values.trafficClasses }}{{ if dig "spec" "match" "apiKeySecretRef" "" . }}true{{ end }}{{ end }}
{{- end }}
{{- end }}
