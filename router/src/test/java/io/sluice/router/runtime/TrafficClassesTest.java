package io.sluice.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.config.TrafficClassConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficClassesTest {
  /** The SHA-256 of "secret-key", as an operator lists it. */
  private static final String SECRET_KEY_SHA256 = TrafficClasses.digestOfBearer("Bearer secret-key");

  private static final TrafficClasses CLASSES = new TrafficClasses(List.of(
      new TrafficClassConfig("batch", TrafficClassSpec.of(0, null, null, true)),
      new TrafficClassConfig("interactive", TrafficClassSpec.of(100,
          new TrafficClassSpec.TrafficMatch(null, List.of(SECRET_KEY_SHA256), null, null), "x-tenant", false)),
      new TrafficClassConfig("gateway", TrafficClassSpec.of(50,
          new TrafficClassSpec.TrafficMatch(Map.of("x-sluice-class", "gw"), null, null, null), null, false))));

  private static Caller resolve(Map<String, String> headers) {
    return CLASSES.resolve(headers::get);
  }

  @Test
  void aListedKeyPicksItsClassAndTheTenantHeaderNamesTheTenant() {
    Caller caller = resolve(Map.of("authorization", "Bearer secret-key", "x-tenant", "acme"));
    assertThat(caller).isEqualTo(new Caller("interactive", 100, "acme"));
  }

  @Test
  void trustedHeadersMatchAndTheClassNameIsTheTenantWithoutATenantHeader() {
    assertThat(resolve(Map.of("x-sluice-class", "gw"))).isEqualTo(new Caller("gateway", 50, "gateway"));
  }

  @Test
  void unknownKeysAndNoHeadersFallToTheDefaultClass() {
    assertThat(resolve(Map.of("authorization", "Bearer other"))).isEqualTo(new Caller("batch", 0, "batch"));
    assertThat(new TrafficClasses(List.of()).resolve(name -> null)).isEqualTo(Caller.DEFAULT);
  }

  @Test
  void digestIsTheHexSha256OfTheKey() {
    assertThat(SECRET_KEY_SHA256).hasSize(64).matches("[0-9a-f]+");
    assertThat(TrafficClasses.digestOfBearer("Basic abc")).isNull();
  }
}
