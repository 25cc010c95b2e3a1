package io.sluice.helm;

import static io.sluice.helm.Chart.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.router.config.RouterSettings;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the chart renders, parsed into Fabric8's types. */
class ChartRenderTest {

  @Test
  void defaultValuesRenderTypedObjectsWithNoUnknownField() {
    Chart.Rendered rendered = Chart.render(Map.of());

    assertThat(rendered.objects).map(o -> o.getKind()).containsExactlyInAnyOrder(
        "ServiceAccount", "ConfigMap", "Service", "Service", "Deployment", "Role", "RoleBinding", "Role", "RoleBinding",
        "PodDisruptionBudget");
    assertThat(rendered.generic()).isEmpty();
    for (HasMetadata object : rendered.objects) {
      assertThat(Chart.unknownFields(object)).as(object.getKind()).isEmpty();
      assertThat(object.getMetadata().getNamespace()).as(object.getKind()).isEqualTo(Chart.NAMESPACE);
      assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
    }
    Deployment deployment = rendered.one(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/sluice-io/sluice:0.1.0-SNAPSHOT");
  }

  @Test
  void everyOptionalPartRendersTypedObjectsWithNoUnknownField() {
    Chart.Rendered rendered = Chart.render("all-on.yaml", Map.of());

    assertThat(rendered.objects).map(HasMetadata::getKind).contains("HorizontalPodAutoscaler", "NetworkPolicy",
        "ServiceMonitor", "ClusterRole", "ModelPool", "TrafficClass", "PodDisruptionBudget");
    assertThat(rendered.objects).map(HasMetadata::getKind).doesNotContain("ClusterRoleBinding");
    // Only the ServiceMonitor has no Fabric8 type here; the sluice.io kinds parse into the crd module's classes.
    assertThat(rendered.generic()).map(GenericKubernetesResource::getKind).containsExactly("ServiceMonitor");
    for (HasMetadata object : rendered.objects) {
      if (!(object instanceof GenericKubernetesResource)) {
        assertThat(Chart.unknownFields(object)).as(object.getKind()).isEmpty();
      }
    }
    GenericKubernetesResource monitor = rendered.generic().get(0);
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertThat(endpoints).singleElement().satisfies(e -> {
      assertThat(e).containsEntry("port", "admin").containsEntry("path", "/metrics");
    });
    Map<String, Object> selector = monitor.get("spec", "selector", "matchLabels");
    assertThat(selector).containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
    Service service = rendered.named(Service.class, Chart.FULLNAME + "-admin");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(
        selector.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> (String) e.getValue())));

    Deployment deployment = rendered.one(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).as("the HPA owns the replica count").isNull();
    HorizontalPodAutoscaler hpa = rendered.one(HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(8);

    NetworkPolicy policy = rendered.one(NetworkPolicy.class);
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(policy.getSpec().getIngress()).hasSize(2);
    assertThat(policy.getSpec().getIngress().get(1).getFrom().get(0).getNamespaceSelector().getMatchLabels())
        .containsEntry("kubernetes.io/metadata.name", "monitoring");
    assertThat(policy.getSpec().getEgress().get(0).getPorts()).extracting(p -> p.getPort().getIntVal())
        .containsExactly(53, 53);

    assertThat(rendered.all(ModelPool.class)).extracting(p -> p.getMetadata().getNamespace())
        .containsExactly("llm-a", "llm-b");
    assertThat(rendered.all(TrafficClass.class)).extracting(c -> c.getSpec().priority()).containsExactly(100, -10, 200);

    ConfigMap dashboard = rendered.named(ConfigMap.class, Chart.FULLNAME + "-dashboard");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "LLM");
    assertThat(dashboard.getData().get("sluice-dashboard.json")).contains("\"uid\": \"sluice-router\"");
  }

  @Test
  void tlsMountsTheSecretReadOnlyAndTheSettingsPointAtItsFiles() {
    Chart.Rendered rendered = Chart.render("all-on.yaml", Map.of());
    PodSpec pod = rendered.one(Deployment.class).getSpec().getTemplate().getSpec();
    Container router = pod.getContainers().get(0);

    Volume tls = pod.getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow();
    assertThat(tls.getSecret().getSecretName()).isEqualTo("sluice-tls");
    assertThat(tls.getSecret().getItems()).extracting(k -> k.getKey() + "->" + k.getPath())
        .containsExactly("tls.crt->tls.crt", "tls.key->tls.key");
    VolumeMount mount = router.getVolumeMounts().stream().filter(m -> m.getName().equals("tls")).findFirst()
        .orElseThrow();
    assertThat(mount.getMountPath()).isEqualTo("/etc/sluice-tls");
    assertThat(mount.getReadOnly()).isTrue();
    assertThat(mount.getSubPath()).as("a subPath mount would never see a renewed Secret").isNull();
    // The settings name the mounted files; the router reads them (ChartCoordinationTest checks the whole document).
    RouterSettings.Tls files = ChartCoordinationTest.routerAccepts(rendered).tls();
    assertThat(files.certFile()).isEqualTo(mount.getMountPath() + "/tls.crt");
    assertThat(files.keyFile()).isEqualTo(mount.getMountPath() + "/tls.key");
    // Probes stay on the plain-HTTP admin port.
    for (Probe probe : List.of(router.getLivenessProbe(), router.getReadinessProbe(), router.getStartupProbe())) {
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("admin");
      assertThat(probe.getHttpGet().getScheme()).isNotEqualTo("HTTPS");
    }

    Chart.Rendered plain = Chart.render(Map.of());
    PodSpec plainPod = plain.one(Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(plainPod.getVolumes()).extracting(Volume::getName).containsExactly("settings", "tmp");
    assertThat(ChartCoordinationTest.routerAccepts(plain).tls()).isNull();
  }

  @Test
  void tlsNeedsASecretAndOneSourceOfFiles() {
    assertThatThrownBy(() -> Chart.render(map("tls.enabled", true)))
        .hasMessageContaining("tls.enabled needs tls.existingSecret");
    assertThatThrownBy(() -> Chart.render(map("tls.enabled", true, "tls.existingSecret", "sluice-tls",
        "settings.tls.certFile", "/x.crt", "settings.tls.keyFile", "/x.key")))
        .hasMessageContaining("set tls.enabled or settings.tls, not both");
    // Files mounted some other way pass through as they are.
    RouterSettings.Tls own = ChartCoordinationTest.routerAccepts(Chart.render(map(
        "settings.tls.certFile", "/certs/chain.pem", "settings.tls.keyFile", "/certs/key.pem"))).tls();
    assertThat(own).isEqualTo(new RouterSettings.Tls("/certs/chain.pem", "/certs/key.pem"));
  }

  @Test
  void aMisspeltFieldIsCaught() {
    Deployment deployment = Chart.render(Map.of()).one(Deployment.class);
    String yaml = Chart.SERIALIZATION.asYaml(deployment).replace("readOnlyRootFilesystem", "readOnlyRootFileSystem");
    assertThat(Chart.unknownFields(Chart.SERIALIZATION.unmarshal(yaml, Deployment.class)))
        .singleElement().asString().contains("SecurityContext").contains("readOnlyRootFileSystem");
  }

  @Test
  void podsRunRestrictedNonRootWithAReadOnlyRootFilesystem() {
    for (Chart.Rendered rendered : List.of(Chart.render(Map.of()), Chart.render("all-on.yaml", Map.of()))) {
      PodSpec pod = rendered.one(Deployment.class).getSpec().getTemplate().getSpec();
      PodSecurityContext podSecurity = pod.getSecurityContext();
      assertThat(podSecurity.getRunAsNonRoot()).isTrue();
      assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
      assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
      assertThat(pod.getContainers()).hasSize(1);
      assertThat(pod.getInitContainers()).isEmpty();
      Container router = pod.getContainers().get(0);
      SecurityContext security = router.getSecurityContext();
      assertThat(security.getRunAsNonRoot()).isTrue();
      assertThat(security.getAllowPrivilegeEscalation()).isFalse();
      assertThat(security.getPrivileged()).isFalse();
      assertThat(security.getReadOnlyRootFilesystem()).isTrue();
      assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(security.getCapabilities().getAdd()).isEmpty();
      assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      // The JVM writes to /tmp only: an emptyDir there, everything else read-only.
      assertThat(router.getVolumeMounts()).anySatisfy(m -> {
        assertThat(m.getMountPath()).isEqualTo("/tmp");
        assertThat(pod.getVolumes()).anySatisfy(v -> {
          assertThat(v.getName()).isEqualTo(m.getName());
          assertThat(v.getEmptyDir()).isNotNull();
        });
      });
      assertThat(router.getVolumeMounts()).filteredOn(m -> !m.getMountPath().equals("/tmp"))
          .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue());
    }
  }

  @Test
  void probesAskTheAdminPortAndTheRouterGetsItsPodIdentity() {
    Chart.Rendered rendered = Chart.render(Map.of());
    PodSpec pod = rendered.one(Deployment.class).getSpec().getTemplate().getSpec();
    Container router = pod.getContainers().get(0);

    assertThat(router.getPorts()).extracting(p -> p.getName() + "=" + p.getContainerPort())
        .containsExactly("http=8080", "admin=9090");
    assertProbe(router.getLivenessProbe(), "/healthz");
    assertProbe(router.getReadinessProbe(), "/readyz");
    assertProbe(router.getStartupProbe(), "/healthz");
    assertThat(router.getArgs()).containsSequence("serve", "--kubernetes", "--config", "/etc/sluice/settings.yaml")
        .containsSequence("--port", "8080").containsSequence("--admin-port", "9090")
        .containsSequence("--host", "0.0.0.0").doesNotContain("--namespace");
    assertThat(env(router, "POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(env(router, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(pod.getServiceAccountName()).isEqualTo(rendered.one(ServiceAccount.class).getMetadata().getName());
    // Longer than the router's drainTimeout (30 s), so streams can finish on SIGTERM.
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(30L);

    // The client-facing Service carries the API only; the admin port (no authentication) has its
    // own ClusterIP Service, whatever type the client-facing one is.
    Service service = rendered.named(Service.class, Chart.FULLNAME);
    assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + "->" + p.getTargetPort().getStrVal())
        .containsExactly("http->http");
    assertThat(service.getSpec().getSelector())
        .isEqualTo(rendered.one(Deployment.class).getSpec().getSelector().getMatchLabels());
    for (String type : List.of("ClusterIP", "LoadBalancer")) {
      Service admin = Chart.render(map("service.type", type)).named(Service.class, Chart.FULLNAME + "-admin");
      assertThat(admin.getSpec().getType()).isEqualTo("ClusterIP");
      assertThat(admin.getSpec().getPorts()).extracting(p -> p.getName() + "->" + p.getTargetPort().getStrVal())
          .containsExactly("admin->admin");
      assertThat(admin.getSpec().getSelector()).isEqualTo(service.getSpec().getSelector());
    }

    Chart.Rendered other = Chart.render(map("router.adminPort", 9191));
    Container moved = other.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(moved.getArgs()).containsSequence("--admin-port", "9191");
    assertThat(moved.getPorts()).extracting(p -> p.getName() + "=" + p.getContainerPort()).contains("admin=9191");
    assertThat(moved.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
  }

  @Test
  void watchedNamespacesBecomeArguments() {
    Chart.Rendered rendered = Chart.render("all-on.yaml", Map.of());
    Container router = rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(String.join(" ", router.getArgs()))
        .contains("--namespace sluice --namespace llm-a --namespace llm-b")
        .contains("--event-loops 2");
    assertThat(router.getImage()).isEqualTo("ghcr.io/sluice-io/sluice:0.1.0-test");
  }

  @Test
  void disruptionBudgetOnlyWhenSeveralReplicasCanRun() {
    assertThat(Chart.render(map("replicaCount", 1)).all(PodDisruptionBudget.class)).isEmpty();
    PodDisruptionBudget pdb = Chart.render(Map.of()).one(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
  }

  /** {@code helm test}: one hook pod that asks both Services, as restricted as the router's. */
  @Test
  void helmTestAsksBothServices() throws Exception {
    io.fabric8.kubernetes.api.model.Pod test = Chart.testHook(Map.of());
    String template = java.nio.file.Files.readString(Chart.DIR.resolve("templates/tests/test-connection.yaml"));
    assertThat(template).contains("helm.sh/hook: test");
    PodSpec spec = test.getSpec();
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    Container wget = spec.getContainers().get(0);
    assertThat(wget.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    String script = String.join(" ", wget.getArgs());
    assertThat(script).contains("http://" + Chart.FULLNAME + "-admin:9090/readyz")
        .contains("http://" + Chart.FULLNAME + ":8080/v1/models");
    // With keys required, the API answers 401 without one: that is the check then.
    String required = String.join(" ", Chart.testHook(map("settings.authentication.mode", "required"))
        .getSpec().getContainers().get(0).getArgs());
    assertThat(required).contains("grep -q ' 401 '");
  }

  /** The CRDs carry CEL rules, on by default from Kubernetes 1.25: older clusters are refused. */
  @Test
  void theChartNeedsAKubernetesThatRunsItsCrdsRules() throws Exception {
    String chart = java.nio.file.Files.readString(Chart.DIR.resolve("Chart.yaml"));
    assertThat(chart).contains("kubeVersion: \">=1.25.0-0\"");
    assertThatThrownBy(() -> Chart.helm().template().withName(Chart.RELEASE).withKubeVersion("1.24.0").call())
        .hasMessageContaining("incompatible with Kubernetes v1.24.0");
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe).as(path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("admin");
  }

  static EnvVar env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }
}
