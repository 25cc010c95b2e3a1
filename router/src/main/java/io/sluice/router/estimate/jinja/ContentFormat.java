package io.sluice.router.estimate.jinja;

import io.sluice.router.estimate.jinja.Node.Expr;
import io.sluice.router.estimate.jinja.Node.Stmt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * vLLM's test for the content format a template wants ({@code _detect_content_format} in
 * {@code vllm/entrypoints/chat_utils.py}): find the names bound to {@code messages} or its
 * elements ({@code set loop_messages = messages[1:]}), the loop variables over them, and whether
 * any loop iterates over such a variable's {@code content}.
 */
final class ContentFormat {
  private ContentFormat() {}

  static boolean iteratesOverContent(List<Stmt> body) {
    List<Node.Set> sets = new ArrayList<>();
    List<Node.For> loops = new ArrayList<>();
    collect(body, sets, loops);
    Set<String> messageNames = new LinkedHashSet<>();
    Deque<String> pending = new ArrayDeque<>(List.of("messages"));
    while (!pending.isEmpty()) {
      String name = pending.poll();
      if (!messageNames.add(name)) {
        continue;
      }
      for (Node.Set set : sets) {
        if (set.attribute() == null && set.targets().size() == 1 && access(set.value(), name, null)) {
          pending.add(set.targets().get(0));
        }
      }
    }
    Set<String> messageItems = new LinkedHashSet<>();
    for (Node.For loop : loops) {
      for (String name : messageNames) {
        if (loop.targets().size() == 1 && access(loop.iter(), name, null)) {
          messageItems.add(loop.targets().get(0));
          break;
        }
      }
    }
    for (Node.For loop : loops) {
      for (String item : messageItems) {
        if (access(loop.iter(), item, "content")) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code name}, or {@code name[key]}/{@code name.key}, possibly filtered, tested or sliced. */
  private static boolean access(Expr e, String name, String key) {
    if (e instanceof Node.Filter f) {
      return access(f.target(), name, key);
    }
    if (e instanceof Node.Test t) {
      return access(t.target(), name, key);
    }
    if (e instanceof Node.Slice s) {
      return access(s.target(), name, key);
    }
    if (key == null) {
      return e instanceof Node.Name n && n.name().equals(name);
    }
    if (e instanceof Node.GetItem g) {
      return g.target() instanceof Node.Name n && n.name().equals(name)
          && g.key() instanceof Node.Literal l && key.equals(l.value());
    }
    if (e instanceof Node.GetAttr g) {
      return g.target() instanceof Node.Name n && n.name().equals(name) && g.name().equals(key);
    }
    return false;
  }

  private static void collect(List<Stmt> body, List<Node.Set> sets, List<Node.For> loops) {
    for (Stmt s : body) {
      if (s instanceof Node.Set set) {
        sets.add(set);
      } else if (s instanceof Node.For f) {
        loops.add(f);
        collect(f.body(), sets, loops);
        collect(f.orElse(), sets, loops);
      } else if (s instanceof Node.If i) {
        i.bodies().forEach(b -> collect(b, sets, loops));
        collect(i.orElse(), sets, loops);
      } else if (s instanceof Node.Macro m) {
        collect(m.body(), sets, loops);
      } else if (s instanceof Node.SetBlock b) {
        collect(b.body(), sets, loops);
      } else if (s instanceof Node.FilterBlock b) {
        collect(b.body(), sets, loops);
      } else if (s instanceof Node.Scope b) {
        collect(b.body(), sets, loops);
      }
    }
  }
}
