package io.sluice.helm;

import static io.sluice.helm.Chart.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The router gets the verbs it needs (docs/kubernetes.md) and nothing more. */
class ChartRbacTest {
  private static final List<String> LEASES =
      List.of("coordination.k8s.io leases: get,list,watch,create,update,patch,delete");
  private static final List<String> WATCH = List.of(
      " pods: get,list,watch",
      "sluice.io modelpools,trafficclasses: get,list,watch",
      "sluice.io modelpools/status,trafficclasses/status: update,patch",
      " secrets: get,list,watch");

  @Test
  void ownNamespaceOnlyNeedsRolesAndNoClusterRole() {
    Chart.Rendered rendered = Chart.render(Map.of());

    assertThat(rendered.all(ClusterRole.class)).isEmpty();
    assertThat(rules(rendered.named(Role.class, Chart.FULLNAME + "-leases").getRules())).isEqualTo(LEASES);
    Role watch = rendered.named(Role.class, Chart.FULLNAME + "-watch");
    // No class of the release reads a Secret: no access to Secrets (rbac.readSecrets unset).
    assertThat(rules(watch.getRules())).isEqualTo(WATCH.subList(0, 3));
    for (RoleBinding binding : rendered.all(RoleBinding.class)) {
      assertThat(binding.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
        assertThat(s.getKind()).isEqualTo("ServiceAccount");
        assertThat(s.getName()).isEqualTo(Chart.FULLNAME);
        assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
      });
    }
    assertThat(rendered.all(RoleBinding.class)).extracting(b -> b.getRoleRef().getName())
        .containsExactlyInAnyOrder(Chart.FULLNAME + "-leases", Chart.FULLNAME + "-watch");
  }

  @Test
  void otherNamespacesGetOneClusterRoleBoundPerNamespace() {
    Chart.Rendered rendered = Chart.render("all-on.yaml", Map.of());

    ClusterRole watch = rendered.one(ClusterRole.class);
    // all-on.yaml has a class with apiKeySecretRef: Secrets are readable without asking.
    assertThat(rules(watch.getRules())).isEqualTo(WATCH);
    // Cluster-wide, so named after the release's namespace too: the same release name in another
    // namespace must not take it over.
    assertThat(watch.getMetadata().getName()).isEqualTo(Chart.FULLNAME + "-" + Chart.NAMESPACE + "-watch");
    List<RoleBinding> watchBindings = rendered.all(RoleBinding.class).stream()
        .filter(b -> b.getRoleRef().getName().equals(watch.getMetadata().getName())).toList();
    assertThat(watchBindings).extracting(b -> b.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("sluice", "llm-a", "llm-b");
    assertThat(watchBindings).allSatisfy(b -> {
      assertThat(b.getRoleRef().getKind()).isEqualTo("ClusterRole");
      assertThat(b.getSubjects()).singleElement()
          .satisfies(s -> assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE));
    });
    // Leases stay in the router's own namespace.
    Role leases = rendered.one(Role.class);
    assertThat(leases.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(rules(leases.getRules())).isEqualTo(LEASES);
  }

  @Test
  void secretNamesRestrictTheSecretsRule() {
    Role watch = Chart.render(map("rbac.readSecrets", true, "rbac.secretNames[0]", "api-keys"))
        .named(Role.class, Chart.FULLNAME + "-watch");
    List<String> expected = new java.util.ArrayList<>(WATCH);
    expected.set(3, " secrets: get,list,watch names=api-keys");
    assertThat(rules(watch.getRules())).isEqualTo(expected);
  }

  /**
   * The router lists and watches every Secret of a namespace; Kubernetes allows list and watch
   * under resourceNames only with a metadata.name field selector, so a class from values with
   * apiKeySecretRef is refused while names are restricted, or while Secrets cannot be read.
   */
  @Test
  void aClassWithASecretRefNeedsUnrestrictedSecretAccess() {
    Map<String, Object> gold = map(
        "trafficClasses[0].name", "gold",
        "trafficClasses[0].spec.priority", 100,
        "trafficClasses[0].spec.match.apiKeySecretRef.name", "gold-keys");
    Map<String, Object> restricted = new java.util.LinkedHashMap<>(gold);
    restricted.put("rbac.secretNames[0]", "gold-keys");
    assertThatThrownBy(() -> Chart.render(restricted))
        .hasMessageContaining("trafficClasses gold: apiKeySecretRef cannot work with rbac.secretNames set");
    Map<String, Object> unreadable = new java.util.LinkedHashMap<>(gold);
    unreadable.put("rbac.readSecrets", false);
    assertThatThrownBy(() -> Chart.render(unreadable))
        .hasMessageContaining("trafficClasses gold: apiKeySecretRef needs rbac.readSecrets true or unset");
    Map<String, Object> ownRbac = new java.util.LinkedHashMap<>(unreadable);
    ownRbac.put("rbac.create", false);
    assertThat(Chart.render(ownRbac).all(io.sluice.crd.k8s.TrafficClass.class)).as("RBAC managed elsewhere")
        .hasSize(1);
    Role watch = Chart.render(gold).named(Role.class, Chart.FULLNAME + "-watch");
    assertThat(rules(watch.getRules())).isEqualTo(WATCH);
  }

  @Test
  void secretsCanBeLeftOut() {
    Role watch = Chart.render(map("rbac.readSecrets", false)).named(Role.class, Chart.FULLNAME + "-watch");
    assertThat(rules(watch.getRules())).isEqualTo(WATCH.subList(0, 3));
  }

  /** For classes created later, outside the chart, Secrets can be granted up front. */
  @Test
  void secretsCanBeGrantedWithoutAClassInTheChart() {
    Role watch = Chart.render(map("rbac.readSecrets", true)).named(Role.class, Chart.FULLNAME + "-watch");
    assertThat(rules(watch.getRules())).isEqualTo(WATCH);
  }

  @Test
  void noWildcardAndNoRbacWhenDisabled() {
    for (Chart.Rendered rendered : List.of(Chart.render(Map.of()), Chart.render("all-on.yaml", Map.of()))) {
      rendered.all(Role.class).forEach(r -> r.getRules().forEach(ChartRbacTest::assertNoWildcard));
      rendered.all(ClusterRole.class).forEach(r -> r.getRules().forEach(ChartRbacTest::assertNoWildcard));
    }
    Chart.Rendered none = Chart.render(map("rbac.create", false));
    assertThat(none.all(Role.class)).isEmpty();
    assertThat(none.all(RoleBinding.class)).isEmpty();
  }

  private static void assertNoWildcard(PolicyRule rule) {
    assertThat(rule.getVerbs()).doesNotContain("*");
    assertThat(rule.getResources()).doesNotContain("*");
    assertThat(rule.getApiGroups()).doesNotContain("*");
  }

  /** One line per rule: "group resources: verbs [names=...]", resources sorted. */
  private static List<String> rules(List<PolicyRule> rules) {
    return rules.stream().map(r -> String.join(",", r.getApiGroups()) + " "
        + String.join(",", new TreeSet<>(r.getResources())) + ": " + String.join(",", r.getVerbs())
        + (r.getResourceNames().isEmpty() ? "" : " names=" + String.join(",", r.getResourceNames()))).toList();
  }
}
