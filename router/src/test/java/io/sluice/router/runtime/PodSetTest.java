package io.sluice.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.ModelPoolSpec;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Membership: who leaves and joins on a new pod set, what a member keeps, and what the pool publishes. */
class PodSetTest {
  private static final Pod A = Pod.fromUrl("http://10.0.0.1:8000");
  private static final Pod B = Pod.fromUrl("http://10.0.0.2:8000");
  private static final Pod C = Pod.fromUrl("http://10.0.0.3:8000");
  private static final Pod A_TLS = new Pod(A.id(), A.host(), A.port(), true); // same id, new address

  private final Pool pool = new Pool("p", ModelPoolSpec.of(List.of("m"), List.of("http://127.0.0.1:1"), null), List.of());
  private final PodSet pods = new PodSet(pool);
  private final List<String> told = new ArrayList<>();
  private final PodSet.Changes changes = new PodSet.Changes() {
    @Override
    public void left(String podId) {
      told.add("left " + podId);
    }

    @Override
    public void joined(PodSet.Member member) {
      assertThat(pods.member(member.id())).as("told before it is published").isNotSameAs(member);
      told.add("joined " + member.id());
    }
  };

  private List<String> replace(Pod... next) {
    told.clear();
    return pods.replace(List.of(next), () -> new PodHealth(3, 1, 2), changes);
  }

  @Test
  void newPodsJoinInOrderAndThePoolPublishesThem() {
    assertThat(replace(A, B)).isEmpty();
    assertThat(told).containsExactly("joined " + A.id(), "joined " + B.id());
    assertThat(pool.pods()).containsExactly(A, B);
    assertThat(pods.size()).isEqualTo(2);
  }

  @Test
  void podsGoneLeaveBeforeNewOnesJoinAndTheirIdsAreReturned() {
    replace(A, B);
    assertThat(replace(B, C)).containsExactly(A.id());
    assertThat(told).containsExactly("left " + A.id(), "joined " + C.id());
    assertThat(pool.pods()).containsExactly(B, C);
    assertThat(pods.member(A.id())).isNull();
  }

  @Test
  void anUnchangedPodKeepsItsMemberAndWhatItKnows() {
    replace(A);
    PodSet.Member before = pods.member(A.id());
    before.sample = new EngineSample(0, 0, 0.5, Set.of(), -1, 0, 10_000, 1);
    replace(A, B);
    assertThat(pods.member(A.id())).isSameAs(before);
    assertThat(pods.member(A.id()).kvCapacityTokens()).isEqualTo(10_000);
  }

  @Test
  void aPodAtANewAddressLeavesAndJoinsAnewWithNothingKnown() {
    replace(A);
    pods.member(A.id()).sample = new EngineSample(0, 0, 0.5, Set.of(), -1, 0, 10_000, 1);
    assertThat(replace(A_TLS)).containsExactly(A.id());
    assertThat(told).containsExactly("left " + A.id(), "joined " + A.id());
    assertThat(pods.member(A.id()).pod).isEqualTo(A_TLS);
    assertThat(pods.member(A.id()).kvCapacityTokens()).isZero();
    assertThat(pods.member(A.id()).adaptiveLimit()).isNegative();
  }

  @Test
  void aLaterPodOfTheSameIdWins() {
    replace(A, B, A_TLS);
    assertThat(pool.pods()).containsExactly(A_TLS, B);
  }
}
