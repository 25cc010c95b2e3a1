package io.sluice.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.api.ApiException;
import io.sluice.router.config.RouterSettings.AuthMode;
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
          new TrafficClassSpec.TrafficMatch(Map.of("x-sluice-class", "gw"), null, null, null), null, false)),
      new TrafficClassConfig("untrusted", TrafficClassSpec.of(200,
          new TrafficClassSpec.TrafficMatch(Map.of("x-client-says", "vip"), null, null, null), null, false))));

  static {
    CLASSES.trustHeaders(List.of("X-Sluice-Class")); // as a gateway in front sets it
  }

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
  void aKnownKeyWinsOverAHeaderNamingAnotherClass() {
    // issue 21.1: a key's class must win, whatever trusted header comes with it
    Caller caller = resolve(Map.of("authorization", "Bearer secret-key", "x-sluice-class", "gw"));
    assertThat(caller.trafficClass()).isEqualTo("interactive");
  }

  @Test
  void aHeaderNotDeclaredTrustedNeverMatches() {
    assertThat(resolve(Map.of("x-client-says", "vip")).trafficClass()).isEqualTo("batch");
    assertThat(CLASSES.untrustedHeaders(CLASSES.all().get(0).spec())).containsExactly("x-client-says");
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

  private static final TrafficClasses SECURED = new TrafficClasses(List.of(
      new TrafficClassConfig("batch", TrafficClassSpec.of(0, null, null, true)),
      new TrafficClassConfig("gold", new TrafficClassSpec(100,
          new TrafficClassSpec.TrafficMatch(null, List.of(SECRET_KEY_SHA256), null, null), null, false,
          List.of("m1"), true, 10, null, null))));

  private static Caller authorize(AuthMode mode, Map<String, String> headers, String model) {
    TrafficClassConfig config = SECURED.authenticate(headers::get, mode);
    return TrafficClasses.permit(config, headers::get, model);
  }

  private static int refusal(Runnable call) {
    try {
      call.run();
    } catch (ApiException e) {
      return e.error().status();
    }
    return 0;
  }

  @Test
  void requiredModeRefusesMissingAndUnknownKeys() {
    assertThat(refusal(() -> authorize(AuthMode.REQUIRED, Map.of(), "m1"))).isEqualTo(401);
    assertThat(refusal(() -> authorize(AuthMode.REQUIRED, Map.of("authorization", "Bearer nope"), "m1"))).isEqualTo(401);
    assertThat(refusal(() -> authorize(AuthMode.REQUIRED, Map.of("authorization", "Basic abc"), "m1"))).isEqualTo(401);
    assertThat(authorize(AuthMode.REQUIRED, Map.of("authorization", "Bearer secret-key"), "m1").trafficClass())
        .isEqualTo("gold");
  }

  @Test
  void optionalModeLetsKeylessCallersInAsTheDefaultClassButNotUnknownKeys() {
    assertThat(authorize(AuthMode.OPTIONAL, Map.of(), "m1").trafficClass()).isEqualTo("batch");
    assertThat(refusal(() -> authorize(AuthMode.OPTIONAL, Map.of("authorization", "Bearer nope"), "m1")))
        .isEqualTo(401);
    assertThat(authorize(AuthMode.NONE, Map.of("authorization", "Bearer nope"), "m1").trafficClass())
        .isEqualTo("batch");
  }

  @Test
  void thePriorityHeaderStaysWithinTheClassBounds() {
    Map<String, String> gold = Map.of("authorization", "Bearer secret-key", TrafficClasses.PRIORITY_HEADER, "50");
    assertThat(authorize(AuthMode.NONE, gold, "m1").priority()).isEqualTo(50);
    assertThat(refusal(() -> authorize(AuthMode.NONE,
        Map.of("authorization", "Bearer secret-key", TrafficClasses.PRIORITY_HEADER, "5"), "m1"))).isEqualTo(403);
    assertThat(refusal(() -> authorize(AuthMode.NONE,
        Map.of("authorization", "Bearer secret-key", TrafficClasses.PRIORITY_HEADER, "101"), "m1"))).isEqualTo(403);
    assertThat(refusal(() -> authorize(AuthMode.NONE, Map.of(TrafficClasses.PRIORITY_HEADER, "1"), "m1")))
        .isEqualTo(403);
    assertThat(refusal(() -> authorize(AuthMode.NONE, Map.of("authorization", "Bearer secret-key"), "m2")))
        .isEqualTo(403);
  }

  @Test
  void aModelLimitedKeyCannotEscapeItsLimitWithAHeader() {
    TrafficClasses classes = new TrafficClasses(List.of(
        new TrafficClassConfig("batch", new TrafficClassSpec(0,
            new TrafficClassSpec.TrafficMatch(null, List.of(SECRET_KEY_SHA256), null, null), null, false,
            List.of("m2"), null, null, null, null)),
        new TrafficClassConfig("interactive", TrafficClassSpec.of(100,
            new TrafficClassSpec.TrafficMatch(Map.of("x-sluice-class", "interactive"), null, null, null), null,
            false))));
    classes.trustHeaders(List.of("x-sluice-class"));
    Map<String, String> headers = Map.of("authorization", "Bearer secret-key", "x-sluice-class", "interactive");
    TrafficClassConfig config = classes.authenticate(headers::get, AuthMode.REQUIRED);
    assertThat(config.name()).isEqualTo("batch");
    assertThat(refusal(() -> TrafficClasses.permit(config, headers::get, "m1"))).isEqualTo(403);
    assertThat(TrafficClasses.permit(config, headers::get, "m2").priority()).isZero();
  }

  @Test
  void loadedKeysAreReplacedPerSource() {
    TrafficClasses classes = new TrafficClasses(List.of(
        new TrafficClassConfig("gold", TrafficClassSpec.of(1, null, null, false))));
    classes.setKeys("files", Map.of("gold", List.of(TrafficClasses.digestOfKey("a"))));
    classes.setKeys("secrets", Map.of("gold", List.of(TrafficClasses.digestOfKey("b"))));
    assertThat(classes.resolve(h -> h.equals("authorization") ? "Bearer a" : null).trafficClass()).isEqualTo("gold");
    classes.setKeys("files", Map.of());
    assertThat(classes.resolve(h -> h.equals("authorization") ? "Bearer a" : null)).isEqualTo(Caller.DEFAULT);
    assertThat(classes.resolve(h -> h.equals("authorization") ? "Bearer b" : null).trafficClass()).isEqualTo("gold");
  }
}
