package io.sluice.router.estimate.jinja;

import io.sluice.router.estimate.jinja.Node.Expr;
import io.sluice.router.estimate.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One render of a template: walks the tree with a chain of scopes (the template's globals, then a
 * scope per loop, macro call and {@code with} block, as Jinja scopes them), writes to a bounded
 * buffer and counts steps against the {@link Limits}.
 */
final class Renderer {
  private static final int CLOCK_EVERY = 1024;

  private final Limits limits;
  private final Builtins builtins;
  private final long started;
  private long steps;
  private int depth;

  /** Signals for {@code break} and {@code continue}; they carry no stack. */
  private static final class LoopSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean isBreak;

    LoopSignal(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  private static final LoopSignal BREAK = new LoopSignal(true);
  private static final LoopSignal CONTINUE = new LoopSignal(false);

  /** A frame of variables; lookups walk up, assignments stay here. */
  static final class Scope {
    final Scope parent;
    final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
      this.parent = parent;
    }

    Object lookup(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        Object v = s.vars.get(name);
        if (v != null || s.vars.containsKey(name)) {
          return v;
        }
      }
      return new Undefined("'" + name + "'");
    }
  }

  /** Output with a size bound. */
  final class Out {
    final StringBuilder text = new StringBuilder();

    void append(String s) {
      if (text.length() + (long) s.length() > limits.maxOutputChars()) {
        throw new TemplateException(TemplateException.Kind.LIMIT,
            "the rendered prompt would exceed " + limits.maxOutputChars() + " characters");
      }
      text.append(s);
    }
  }

  Renderer(Limits limits, Builtins builtins) {
    this.limits = limits;
    this.builtins = builtins;
    this.started = limits.nanoTime().getAsLong();
  }

  String render(List<Stmt> template, Map<String, Object> context) {
    Scope root = new Scope(null);
    root.vars.putAll(context);
    Out out = new Out();
    try {
      run(template, root, root, out);
    } catch (LoopSignal signal) {
      throw new TemplateException(TemplateException.Kind.SYNTAX, "break or continue outside a loop");
    } catch (ArithmeticException e) {
      throw Py.typeError("integer overflow");
    } catch (StackOverflowError e) {
      throw new TemplateException(TemplateException.Kind.LIMIT, "the template nests too deeply");
    }
    return out.text.toString();
  }

  void step() {
    if (++steps > limits.maxSteps()) {
      throw new TemplateException(TemplateException.Kind.LIMIT, "the template took more than "
          + limits.maxSteps() + " steps");
    }
    if (steps % CLOCK_EVERY == 0 && limits.nanoTime().getAsLong() - started > limits.maxNanos()) {
      throw new TemplateException(TemplateException.Kind.LIMIT, "the template ran longer than "
          + limits.maxNanos() / 1_000_000 + " ms");
    }
  }

  private void enter() {
    if (++depth > limits.maxDepth()) {
      throw new TemplateException(TemplateException.Kind.LIMIT, "the template nests deeper than "
          + limits.maxDepth());
    }
  }

  // ---- statements

  void run(List<Stmt> body, Scope scope, Scope root, Out out) {
    for (Stmt stmt : body) {
      step();
      if (stmt instanceof Node.Text t) {
        out.append(t.text());
      } else if (stmt instanceof Node.Output o) {
        out.append(Py.str(eval(o.expr(), scope, root)));
      } else if (stmt instanceof Node.If s) {
        runIf(s, scope, root, out);
      } else if (stmt instanceof Node.For f) {
        runFor(f, scope, root, out);
      } else if (stmt instanceof Node.Set s) {
        assign(s, scope, root);
      } else if (stmt instanceof Node.SetBlock s) {
        Out captured = new Out();
        run(s.body(), scope, root, captured);
        Object value = captured.text.toString();
        for (Node.FilterCall filter : s.filters()) {
          value = filter(value, filter, scope, root);
        }
        scope.vars.put(s.target(), value);
      } else if (stmt instanceof Node.Macro m) {
        scope.vars.put(m.name(), macro(m, scope, root));
      } else if (stmt instanceof Node.FilterBlock f) {
        Out captured = new Out();
        run(f.body(), scope, root, captured);
        Object value = captured.text.toString();
        for (Node.FilterCall filter : f.filters()) {
          value = filter(value, filter, scope, root);
        }
        out.append(Py.str(value));
      } else if (stmt instanceof Node.Scope s) {
        run(s.body(), new Scope(scope), root, out);
      } else if (stmt instanceof Node.Break) {
        throw BREAK;
      } else if (stmt instanceof Node.Continue) {
        throw CONTINUE;
      }
    }
  }

  private void runIf(Node.If s, Scope scope, Scope root, Out out) {
    for (int i = 0; i < s.tests().size(); i++) {
      if (Py.truthy(eval(s.tests().get(i), scope, root))) {
        run(s.bodies().get(i), scope, root, out);
        return;
      }
    }
    run(s.orElse(), scope, root, out);
  }

  private void runFor(Node.For f, Scope scope, Scope root, Out out) {
    Object iterable = eval(f.iter(), scope, root);
    if (iterable instanceof Undefined) {
      iterable = List.of(); // Jinja iterates an undefined value as empty
    }
    List<Object> items = Py.iterate(iterable);
    if (f.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object item : items) {
        step();
        Scope test = new Scope(scope);
        bind(f.targets(), item, test);
        if (Py.truthy(eval(f.filter(), test, root))) {
          kept.add(item);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      run(f.orElse(), scope, root, out);
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      step();
      Scope iteration = new Scope(scope); // as in Jinja, what a body sets lasts one iteration
      bind(f.targets(), items.get(i), iteration);
      iteration.vars.put("loop", new Builtins.Loop(items, i));
      try {
        run(f.body(), iteration, root, out);
      } catch (LoopSignal signal) {
        if (signal.isBreak) {
          break;
        }
      }
    }
  }

  private void bind(List<String> targets, Object value, Scope scope) {
    if (targets.size() == 1) {
      scope.vars.put(targets.get(0), value);
      return;
    }
    List<Object> parts = Py.iterate(value);
    if (parts.size() != targets.size()) {
      throw Py.typeError("cannot unpack " + parts.size() + " values into " + targets.size() + " names");
    }
    for (int i = 0; i < targets.size(); i++) {
      scope.vars.put(targets.get(i), parts.get(i));
    }
  }

  private void assign(Node.Set s, Scope scope, Scope root) {
    Object value = eval(s.value(), scope, root);
    if (s.attribute() == null) {
      bind(s.targets(), value, scope);
      return;
    }
    Object target = scope.lookup(s.targets().get(0));
    if (!(target instanceof Namespace ns)) {
      throw Py.typeError("cannot assign attribute on non-namespace object");
    }
    ns.attributes.put(s.attribute(), value);
  }

  private Callable macro(Node.Macro m, Scope definedIn, Scope root) {
    return (args, kwargs) -> {
      if (args.size() > m.params().size()) {
        throw Py.typeError("macro '" + m.name() + "' takes not more than " + m.params().size() + " argument(s)");
      }
      enter();
      try {
        Scope frame = new Scope(root);
        int firstDefault = m.params().size() - m.defaults().size();
        for (int i = 0; i < m.params().size(); i++) {
          String param = m.params().get(i);
          Object value;
          if (i < args.size()) {
            value = args.get(i);
          } else if (kwargs.containsKey(param)) {
            value = kwargs.get(param);
          } else if (i >= firstDefault) {
            value = eval(m.defaults().get(i - firstDefault), frame, root);
          } else {
            value = new Undefined("parameter '" + param + "'");
          }
          frame.vars.put(param, value);
        }
        for (String key : kwargs.keySet()) {
          if (!m.params().contains(key)) {
            throw Py.typeError("macro '" + m.name() + "' takes no keyword argument '" + key + "'");
          }
        }
        frame.vars.put(m.name(), definedIn.lookup(m.name()));
        Out captured = new Out();
        run(m.body(), frame, root, captured);
        return captured.text.toString();
      } finally {
        depth--;
      }
    };
  }

  // ---- expressions

  Object eval(Expr expr, Scope scope, Scope root) {
    step();
    if (expr instanceof Node.Literal l) {
      return l.value();
    }
    if (expr instanceof Node.Name n) {
      return scope.lookup(n.name());
    }
    enter();
    try {
      return evalCompound(expr, scope, root);
    } finally {
      depth--;
    }
  }

  private Object evalCompound(Expr expr, Scope scope, Scope root) {
    if (expr instanceof Node.GetAttr g) {
      return builtins.getAttr(eval(g.target(), scope, root), g.name());
    }
    if (expr instanceof Node.GetItem g) {
      return builtins.getItem(eval(g.target(), scope, root), eval(g.key(), scope, root));
    }
    if (expr instanceof Node.Slice s) {
      Object target = eval(s.target(), scope, root);
      if (target instanceof Undefined u) {
        throw u.error();
      }
      return Builtins.slice(target, optional(s.start(), scope, root), optional(s.stop(), scope, root),
          optional(s.step(), scope, root));
    }
    if (expr instanceof Node.Binary b) {
      return binary(b, scope, root);
    }
    if (expr instanceof Node.Unary u) {
      Object v = eval(u.operand(), scope, root);
      return switch (u.op()) {
        case "not" -> !Py.truthy(v);
        case "-" -> {
          if (v instanceof Long l) {
            yield Math.negateExact(l);
          }
          if (v instanceof Double d) {
            yield -d;
          }
          if (v instanceof Boolean b) {
            yield b ? -1L : 0L;
          }
          throw Py.typeError("bad operand type for unary -: '" + Py.typeName(v) + "'");
        }
        default -> {
          if (!Py.isNumber(v)) {
            throw Py.typeError("bad operand type for unary +: '" + Py.typeName(v) + "'");
          }
          yield v instanceof Boolean b ? (Object) (b ? 1L : 0L) : v;
        }
      };
    }
    if (expr instanceof Node.Compare c) {
      Object left = eval(c.first(), scope, root);
      for (int i = 0; i < c.ops().size(); i++) {
        Object right = eval(c.rest().get(i), scope, root);
        if (!compare(c.ops().get(i), left, right)) {
          return false;
        }
        left = right;
      }
      return true;
    }
    if (expr instanceof Node.Conditional c) {
      if (Py.truthy(eval(c.test(), scope, root))) {
        return eval(c.then(), scope, root);
      }
      return c.orElse() == null ? new Undefined("the else branch") : eval(c.orElse(), scope, root);
    }
    if (expr instanceof Node.Filter f) {
      return filter(eval(f.target(), scope, root), f.filter(), scope, root);
    }
    if (expr instanceof Node.Test t) {
      Object value = eval(t.target(), scope, root);
      return builtins.test(t.name(), value, evalAll(t.args(), scope, root)) != t.negated();
    }
    if (expr instanceof Node.Call c) {
      Object target = eval(c.target(), scope, root);
      List<Object> args = evalAll(c.args(), scope, root);
      Map<String, Object> kwargs = evalKeywords(c.keywords(), c.keywordValues(), scope, root);
      if (target instanceof Undefined u) {
        throw u.error();
      }
      if (!(target instanceof Callable fn)) {
        throw Py.typeError("'" + Py.typeName(target) + "' object is not callable");
      }
      return fn.call(args, kwargs);
    }
    if (expr instanceof Node.ListExpr l) {
      List<Object> items = new ArrayList<>();
      for (Expr e : l.items()) {
        items.add(eval(e, scope, root));
      }
      return items;
    }
    if (expr instanceof Node.TupleExpr t) {
      List<Object> items = new ArrayList<>();
      for (Expr e : t.items()) {
        items.add(eval(e, scope, root));
      }
      return new Tuple(items);
    }
    if (expr instanceof Node.DictExpr d) {
      Map<Object, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < d.keys().size(); i++) {
        map.put(eval(d.keys().get(i), scope, root), eval(d.values().get(i), scope, root));
      }
      return map;
    }
    throw new IllegalStateException("unknown node " + expr);
  }

  private Object optional(Expr expr, Scope scope, Scope root) {
    return expr == null ? null : eval(expr, scope, root);
  }

  private Object binary(Node.Binary b, Scope scope, Scope root) {
    Object left = eval(b.left(), scope, root);
    switch (b.op()) {
      case "and" -> {
        return Py.truthy(left) ? eval(b.right(), scope, root) : left;
      }
      case "or" -> {
        return Py.truthy(left) ? left : eval(b.right(), scope, root);
      }
      case "~" -> {
        String right = Py.str(eval(b.right(), scope, root));
        String l = Py.str(left);
        Py.checkSize((long) l.length() + right.length());
        return l + right;
      }
      default -> {
        return Py.binary(b.op(), left, eval(b.right(), scope, root));
      }
    }
  }

  private boolean compare(String op, Object left, Object right) {
    return switch (op) {
      case "==" -> Py.eq(left, right);
      case "!=" -> !Py.eq(left, right);
      case "in" -> Py.contains(right, left);
      case "not in" -> !Py.contains(right, left);
      default -> {
        if (left instanceof Undefined u) {
          throw u.error();
        }
        if (right instanceof Undefined u) {
          throw u.error();
        }
        int c = Py.compare(left, right, op);
        yield switch (op) {
          case "<" -> c < 0;
          case "<=" -> c <= 0;
          case ">" -> c > 0;
          default -> c >= 0;
        };
      }
    };
  }

  Object filter(Object value, Node.FilterCall call, Scope scope, Scope root) {
    return builtins.filter(call.name(), value, evalAll(call.args(), scope, root),
        evalKeywords(call.keywords(), call.keywordValues(), scope, root), this);
  }

  private List<Object> evalAll(List<Expr> exprs, Scope scope, Scope root) {
    List<Object> values = new ArrayList<>(exprs.size());
    for (Expr e : exprs) {
      values.add(eval(e, scope, root));
    }
    return values;
  }

  private Map<String, Object> evalKeywords(List<String> names, List<Expr> exprs, Scope scope, Scope root) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      values.put(names.get(i), eval(exprs.get(i), scope, root));
    }
    return values;
  }
}
