package io.sluice.router.proxy;

import static io.sluice.router.proxy.RetryPolicy.Ending.ANSWERED;
import static io.sluice.router.proxy.RetryPolicy.Ending.BROKEN;
import static io.sluice.router.proxy.RetryPolicy.Ending.POD_LEFT;
import static io.sluice.router.proxy.RetryPolicy.Ending.TIMED_OUT;
import static io.sluice.router.proxy.RetryPolicy.NO_STATUS;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.HealthSpec;
import io.sluice.router.proxy.RetryPolicy.Decision;
import io.sluice.router.proxy.RetryPolicy.Decision.Fail;
import io.sluice.router.proxy.RetryPolicy.Decision.Relay;
import io.sluice.router.proxy.RetryPolicy.Decision.Requeue;
import io.sluice.router.proxy.RetryPolicy.Decision.RetryOtherPod;
import io.sluice.router.proxy.RetryPolicy.Ending;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retry policy as {@link Forwarder} applied it inline before it had a name: one row per case,
 * with {@code maxAttempts} 3 and {@code maxRequeues} 2. The end-to-end behaviour is held by
 * {@link HealthAndRetryTest}, {@link UpstreamFailuresTest} and {@link AdmissionEndToEndTest}.
 */
class RetryPolicyTest {
  private static final RetryPolicy POLICY = new RetryPolicy(3, 2);

  private static final Decision RELAY = new Relay();
  private static final Decision DROP = new Decision.Drop();
  private static final Decision REQUEUE_ELSE_RELAY = new Requeue(RELAY);
  private static final Decision RETRY_ELSE_RELAY = new RetryOtherPod(true, RELAY);
  private static final Decision RETRY_ELSE_502 = new RetryOtherPod(true, new Fail(502));
  private static final Decision MOVE_ELSE_503 = new RetryOtherPod(false, new Fail(503));

  private static final boolean ADMITTED = true;
  private static final boolean PASSED_THROUGH = false;
  private static final boolean OVER = true;
  private static final boolean WAITED_FOR = false;

  static Stream<Arguments> cases() {
    return Stream.of(
        // ending, status, attempts, requeues, admitted, over -> decision
        row("the engine's answer", ANSWERED, 200, 1, 0, ADMITTED, WAITED_FOR, RELAY),
        row("a client error passes through", ANSWERED, 400, 1, 0, ADMITTED, WAITED_FOR, RELAY),
        row("an answer on a later attempt", ANSWERED, 200, 3, 2, ADMITTED, WAITED_FOR, RELAY),
        row("429: waits for room", ANSWERED, 429, 1, 0, ADMITTED, WAITED_FOR, REQUEUE_ELSE_RELAY),
        row("503: waits for room", ANSWERED, 503, 1, 0, ADMITTED, WAITED_FOR, REQUEUE_ELSE_RELAY),
        row("429 with one requeue left", ANSWERED, 429, 3, 1, ADMITTED, WAITED_FOR, REQUEUE_ELSE_RELAY),
        row("429 with no requeue left", ANSWERED, 429, 1, 2, ADMITTED, WAITED_FOR, RELAY),
        row("503 with no requeue left is not retried either", ANSWERED, 503, 1, 2, ADMITTED, WAITED_FOR, RELAY),
        row("429 passed through", ANSWERED, 429, 1, 0, PASSED_THROUGH, WAITED_FOR, RELAY),
        row("503 passed through", ANSWERED, 503, 1, 0, PASSED_THROUGH, WAITED_FOR, RELAY),
        row("500: the next pod", ANSWERED, 500, 1, 0, ADMITTED, WAITED_FOR, RETRY_ELSE_RELAY),
        row("502: the next pod", ANSWERED, 502, 2, 0, ADMITTED, WAITED_FOR, RETRY_ELSE_RELAY),
        row("500 passed through: the next pod", ANSWERED, 500, 1, 0, PASSED_THROUGH, WAITED_FOR, RETRY_ELSE_RELAY),
        row("500 with requeues spent: the next pod", ANSWERED, 500, 1, 2, ADMITTED, WAITED_FOR, RETRY_ELSE_RELAY),
        row("500 on the last attempt", ANSWERED, 500, 3, 0, ADMITTED, WAITED_FOR, RELAY),
        row("an answer nobody reads", ANSWERED, 200, 1, 0, ADMITTED, OVER, DROP),
        row("a 503 nobody reads", ANSWERED, 503, 1, 0, ADMITTED, OVER, DROP),
        row("a 500 nobody reads", ANSWERED, 500, 1, 0, ADMITTED, OVER, DROP),
        row("broken: the next pod", BROKEN, NO_STATUS, 1, 0, ADMITTED, WAITED_FOR, RETRY_ELSE_502),
        row("broken passed through: the next pod", BROKEN, NO_STATUS, 2, 0, PASSED_THROUGH, WAITED_FOR, RETRY_ELSE_502),
        row("broken with requeues spent: the next pod", BROKEN, NO_STATUS, 1, 2, ADMITTED, WAITED_FOR, RETRY_ELSE_502),
        row("broken on the last attempt", BROKEN, NO_STATUS, 3, 0, ADMITTED, WAITED_FOR, new Fail(502)),
        row("broken, nobody waiting", BROKEN, NO_STATUS, 1, 0, ADMITTED, OVER, DROP),
        row("timed out", TIMED_OUT, NO_STATUS, 1, 0, ADMITTED, WAITED_FOR, new Fail(504)),
        row("timed out with attempts left is final too", TIMED_OUT, NO_STATUS, 1, 0, PASSED_THROUGH, WAITED_FOR, new Fail(504)),
        row("timed out, nobody waiting: still answered", TIMED_OUT, NO_STATUS, 1, 0, ADMITTED, OVER, new Fail(504)),
        row("pod left: elsewhere, outside the budget", POD_LEFT, NO_STATUS, 0, 0, ADMITTED, WAITED_FOR, MOVE_ELSE_503),
        row("pod left past maxAttempts", POD_LEFT, NO_STATUS, 3, 2, ADMITTED, WAITED_FOR, MOVE_ELSE_503),
        row("pod left, nobody waiting", POD_LEFT, NO_STATUS, 1, 0, ADMITTED, OVER, MOVE_ELSE_503));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, Ending ending, int status, int attempts, int requeues, boolean admitted, boolean over,
      Decision expected) {
    assertThat(POLICY.decide(ending, status, attempts, requeues, admitted, over)).isEqualTo(expected);
  }

  static Stream<Arguments> fullPods() {
    return Stream.of(
        // untried pod left, requeues so far -> waits in the queue
        Arguments.of(true, 0, true),
        Arguments.of(true, 1, true),
        Arguments.of(true, 2, false),
        Arguments.of(false, 0, false));
  }

  @ParameterizedTest(name = "untried left {0}, requeues {1}: waits {2}")
  @MethodSource("fullPods")
  void waitsForAFullPodWhileRequeuesAreLeft(boolean untriedLeft, int requeues, boolean waits) {
    assertThat(POLICY.waitsForFullPod(untriedLeft, requeues)).isEqualTo(waits);
  }

  @Test
  void takesItsLimitsFromThePoolsHealth() {
    assertThat(RetryPolicy.of(HealthSpec.defaults())).isEqualTo(new RetryPolicy(3, 3));
  }

  @Test
  void aZeroRequeueLimitSendsPressureToTheClient() {
    assertThat(new RetryPolicy(3, 0).decide(ANSWERED, 429, 1, 0, ADMITTED, WAITED_FOR)).isEqualTo(RELAY);
  }

  private static Arguments row(String name, Ending ending, int status, int attempts, int requeues, boolean admitted,
      boolean over, Decision expected) {
    return Arguments.of(name, ending, status, attempts, requeues, admitted, over, expected);
  }
}
