package io.sluice.router.estimate.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The renderer's sandbox: a template reaches nothing but its data, cannot change that data, and no
 * template or input runs past the bounds of its {@link Limits} (steps, output, nesting, time, the
 * size of one value); each overrun is a {@link TemplateException.Kind#LIMIT}, never a hung thread
 * or an exhausted heap.
 */
class SandboxTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-07-26T12:00:00Z"), ZoneOffset.UTC);
  private static final Limits SMALL = new Limits(10_000, 100_000, 50, Long.MAX_VALUE, () -> 0L);

  private static String render(String template, Map<String, ?> data, Limits limits) {
    return Template.parse(template).render(data, limits, CLOCK);
  }

  private static TemplateException.Kind failure(String template, Map<String, ?> data, Limits limits) {
    try {
      render(template, data, limits);
    } catch (TemplateException e) {
      return e.kind();
    }
    throw new AssertionError("rendered without an error: " + template);
  }

  @Test
  void javaObjectsAndPythonInternalsAreOutOfReach() {
    Map<String, Object> data = Map.of("messages", List.of(Map.of("role", "user", "content", "hi")));
    // Python's escape hatches are plain undefined names and attributes here: nothing to call.
    assertThat(render("{{ messages.__class__ }}|{{ ''.__class__ }}|{{ messages.getClass }}|{{ cycler }}", data,
        SMALL)).isEqualTo("|||");
    assertThat(failure("{{ ''.__class__.__mro__[1].__subclasses__() }}", data, SMALL))
        .isEqualTo(TemplateException.Kind.RUNTIME);
    assertThat(failure("{{ messages.getClass() }}", data, SMALL)).isEqualTo(TemplateException.Kind.RUNTIME);
  }

  @Test
  void theDataCannotBeChanged() {
    Map<String, Object> data = Map.of("messages", new java.util.ArrayList<>(List.of("a")));
    assertThatThrownBy(() -> render("{{ messages.append('b') }}", data, SMALL))
        .isInstanceOf(TemplateException.class).hasMessageContaining("unsafe");
    assertThatThrownBy(() -> render("{% set d = {'a': 1} %}{{ d.update({'b': 2}) }}", data, SMALL))
        .isInstanceOf(TemplateException.class).hasMessageContaining("unsafe");
    assertThat(data.get("messages")).isEqualTo(List.of("a"));
  }

  @Test
  void includesImportsAndCallBlocksAreNotParsed() {
    for (String template : List.of("{% include 'x' %}", "{% import 'x' as y %}", "{% extends 'x' %}",
        "{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}x{% endcall %}", "{{ x | no_such_filter }}",
        "{{ x is no_such_test }}")) {
      assertThatThrownBy(() -> Template.parse(template)).as(template)
          .isInstanceOfSatisfying(TemplateException.class, e -> assertThat(e.kind()).isEqualTo(TemplateException.Kind.SYNTAX));
    }
  }

  @Test
  void aLoopPastTheStepBoundStops() {
    assertThat(failure("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", Map.of(),
        SMALL)).isEqualTo(TemplateException.Kind.LIMIT);
  }

  @Test
  void outputPastItsBoundStops() {
    assertThat(failure("{% for i in range(100) %}{{ text }}{% endfor %}", Map.of("text", "x".repeat(200)), SMALL))
        .isEqualTo(TemplateException.Kind.LIMIT);
  }

  @Test
  void recursionPastTheDepthBoundStops() {
    assertThat(failure("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", Map.of(), SMALL))
        .isEqualTo(TemplateException.Kind.LIMIT);
  }

  @Test
  void aValueDoubledPastItsBoundStopsBeforeTheHeapDoes() {
    Limits roomy = new Limits(Long.MAX_VALUE, 1_000_000, 50, Long.MAX_VALUE, () -> 0L);
    assertThat(failure("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}"
        + "{% endfor %}{{ ns.s | length }}", Map.of(), roomy)).isEqualTo(TemplateException.Kind.LIMIT);
    assertThat(failure("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
        + "{% endfor %}", Map.of(), roomy)).isEqualTo(TemplateException.Kind.LIMIT);
    assertThat(failure("{{ (text * 1000000) | length }}", Map.of("text", "x".repeat(1000)), roomy))
        .isEqualTo(TemplateException.Kind.LIMIT);
    assertThat(failure("{{ text.replace('x', text) | length }}", Map.of("text", "x".repeat(100_000)), roomy))
        .isEqualTo(TemplateException.Kind.LIMIT);
  }

  @Test
  void aRenderPastItsTimeStops() {
    AtomicLong now = new AtomicLong();
    // Every read of the clock moves it 1 ms on: the render sees time pass without anyone sleeping.
    Limits oneSecond = new Limits(Long.MAX_VALUE, Long.MAX_VALUE, 50, 1_000_000_000L, () -> now.addAndGet(1_000_000));
    assertThatThrownBy(() -> render("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        Map.of(), oneSecond))
        .isInstanceOfSatisfying(TemplateException.class, e -> {
          assertThat(e.kind()).isEqualTo(TemplateException.Kind.LIMIT);
          assertThat(e.getMessage()).contains("longer than 1000 ms");
        });
  }

  @Test
  void raiseExceptionIsItsOwnKindWithTheTemplatesMessage() {
    assertThatThrownBy(() -> render("{{ raise_exception('Conversation roles must alternate') }}", Map.of(), SMALL))
        .isInstanceOfSatisfying(TemplateException.class, e -> {
          assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
          assertThat(e.getMessage()).isEqualTo("Conversation roles must alternate");
        });
  }
}
