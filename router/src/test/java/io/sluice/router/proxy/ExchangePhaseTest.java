package io.sluice.router.proxy;

import static io.sluice.router.proxy.Exchange.Phase.ANSWERED;
import static io.sluice.router.proxy.Exchange.Phase.DONE;
import static io.sluice.router.proxy.Exchange.Phase.ESTIMATING;
import static io.sluice.router.proxy.Exchange.Phase.FORWARDING;
import static io.sluice.router.proxy.Exchange.Phase.QUEUED;
import static io.sluice.router.proxy.Exchange.Phase.RECEIVED;
import static io.sluice.router.proxy.Exchange.Phase.RELAYING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.router.api.ApiKind;
import io.sluice.router.proxy.Exchange.Phase;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The life of an exchange: the moves it has, and every move it refuses. */
class ExchangePhaseTest {
  /** Each phase and the phases it may move to: the whole table, so every other pair is refused. */
  private static final Map<Phase, Set<Phase>> NEXT = Map.of(
      RECEIVED, EnumSet.of(ESTIMATING, FORWARDING, DONE),
      ESTIMATING, EnumSet.of(QUEUED, FORWARDING, DONE),
      QUEUED, EnumSet.of(FORWARDING, DONE),
      FORWARDING, EnumSet.of(QUEUED, FORWARDING, ANSWERED, DONE),
      ANSWERED, EnumSet.of(QUEUED, FORWARDING, RELAYING, DONE),
      RELAYING, EnumSet.of(DONE),
      DONE, EnumSet.noneOf(Phase.class));

  static Stream<Arguments> moves() {
    List<Arguments> moves = new ArrayList<>();
    for (Phase from : Phase.values()) {
      for (Phase to : Phase.values()) {
        moves.add(Arguments.of(from, to, NEXT.get(from).contains(to)));
      }
    }
    return moves.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @MethodSource("moves")
  void movesOnlyAsARequestLives(Phase from, Phase to, boolean legal) {
    Exchange exchange = at(from);
    if (legal) {
      exchange.to(to);
      assertThat(exchange.phase()).isEqualTo(to);
    } else {
      assertThatThrownBy(() -> exchange.to(to)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(from + " to " + to);
      assertThat(exchange.phase()).isEqualTo(from);
    }
  }

  @Test
  void startsReceived() {
    assertThat(exchange().phase()).isEqualTo(RECEIVED);
  }

  @Test
  void isOverOnceDoneOrWhenNobodyReads() {
    Exchange done = at(DONE);
    Exchange left = at(RELAYING);
    left.clientClosed = true;
    Exchange cut = at(FORWARDING);
    cut.cutOff = true;
    Exchange failed = at(RELAYING);
    failed.streamFailed = true; // the client still reads the error event
    assertThat(List.of(done.over(), left.over(), cut.over(), failed.over(), at(RELAYING).over()))
        .containsExactly(true, true, true, false, false);
  }

  /** An exchange brought to {@code phase} along the shortest path of its life. */
  private static Exchange at(Phase phase) {
    Exchange exchange = exchange();
    List<Phase> path = switch (phase) {
      case RECEIVED -> List.of();
      case ESTIMATING -> List.of(ESTIMATING);
      case QUEUED -> List.of(ESTIMATING, QUEUED);
      case FORWARDING -> List.of(FORWARDING);
      case ANSWERED -> List.of(FORWARDING, ANSWERED);
      case RELAYING -> List.of(FORWARDING, ANSWERED, RELAYING);
      case DONE -> List.of(DONE);
    };
    path.forEach(exchange::to);
    return exchange;
  }

  private static Exchange exchange() {
    return new Exchange(null, null, ApiKind.CHAT, 0);
  }
}
