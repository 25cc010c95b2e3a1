package io.sluice.helm;

import static io.sluice.helm.Chart.map;
import static org.assertj.core.api.Assertions.assertThat;

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
    assertThat(rules(watch.getRules())).isEqualTo(WATCH);
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
    List<String> expected = new java.util.ArrayList<>(WATCH);
    expected.set(3, " secrets: get,list,watch names=api-keys");
    assertThat(rules(watch.getRules())).isEqualTo(expected);
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
  void secretsCanBeLeftOut() {
    Role watch = Chart.render(map("rbac.readSecrets", false)).named(Role.class, Chart.FULLNAME + "-watch");
    assertThat(rules(watch.getRules())).isEqualTo(WATCH.subList(0, 3));
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
