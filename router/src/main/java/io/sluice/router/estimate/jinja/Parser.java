package io.sluice.router.estimate.jinja;

import io.sluice.router.estimate.jinja.Lexer.Token;
import io.sluice.router.estimate.jinja.Lexer.Type;
import io.sluice.router.estimate.jinja.Node.Expr;
import io.sluice.router.estimate.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the syntax tree from tokens with Jinja's grammar and operator precedence (lowest first):
 * conditional {@code a if b else c}, {@code or}, {@code and}, {@code not}, comparisons and
 * {@code in}, {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary {@code - +}, then
 * postfix access, calls, filters {@code |} and tests {@code is}.
 */
final class Parser {
  /** Tags a body may end at; the caller checks which one it wanted. */
  private static final Set<String> ENDS = Set.of("elif", "else", "endif", "endfor", "endset", "endmacro",
      "endfilter", "endwith", "endgeneration");

  private final List<Token> tokens;
  private int at;
  private int depth;

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static List<Stmt> parse(String source) {
    Parser parser = new Parser(Lexer.tokenize(source));
    List<Stmt> body = parser.body(Set.of());
    if (parser.peek().type() != Type.EOF) {
      throw parser.error("unexpected '" + parser.peek(1).text() + "' tag");
    }
    return body;
  }

  private Token peek() {
    return tokens.get(at);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(at + ahead, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(at++);
  }

  private Token expect(Type type, String text) {
    Token t = next();
    if (t.type() != type || (text != null && !t.text().equals(text))) {
      throw error("expected " + (text != null ? "'" + text + "'" : type.name().toLowerCase()) + ", got " + t, t);
    }
    return t;
  }

  private boolean acceptOp(String op) {
    if (peek().isOp(op)) {
      at++;
      return true;
    }
    return false;
  }

  private boolean acceptName(String name) {
    if (peek().isName(name)) {
      at++;
      return true;
    }
    return false;
  }

  private TemplateException error(String message) {
    return error(message, peek());
  }

  private TemplateException error(String message, Token where) {
    return new TemplateException(TemplateException.Kind.SYNTAX, message + " (line " + where.line() + ")");
  }

  /** Statements until EOF or a block tag named in {@code ends} (left unconsumed, after its {%). */
  private List<Stmt> body(Set<String> ends) {
    List<Stmt> body = new ArrayList<>();
    while (true) {
      Token t = peek();
      switch (t.type()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw error("missing end tag (one of " + ends + ")");
          }
          return body;
        }
        case TEXT -> {
          at++;
          body.add(new Node.Text(t.text()));
        }
        case VAR_BEGIN -> {
          at++;
          body.add(new Node.Output(tuple(true)));
          expect(Type.VAR_END, null);
        }
        case BLOCK_BEGIN -> {
          Token name = peek(1);
          if (name.type() == Type.NAME && ENDS.contains(name.text())) {
            if (!ends.contains(name.text())) {
              throw error("unexpected '" + name.text() + "'", name);
            }
            return body;
          }
          at++;
          Stmt stmt = statement();
          if (stmt != null) {
            body.add(stmt);
          }
        }
        default -> throw error("unexpected " + t);
      }
    }
  }

  /** Consumes {@code {% name %}} for the end tag the body stopped at. */
  private String endTag(String... names) {
    expect(Type.BLOCK_BEGIN, null);
    Token name = expect(Type.NAME, null);
    for (String n : names) {
      if (name.text().equals(n)) {
        return n;
      }
    }
    throw error("unexpected '" + name.text() + "'", name);
  }

  private Stmt statement() {
    Token keyword = expect(Type.NAME, null);
    Stmt stmt = switch (keyword.text()) {
      case "if" -> ifStatement();
      case "for" -> forStatement();
      case "set" -> setStatement();
      case "macro" -> macro();
      case "filter" -> filterBlock();
      case "with" -> withBlock();
      case "generation" -> {
        expect(Type.BLOCK_END, null);
        List<Stmt> body = body(Set.of("endgeneration"));
        endTag("endgeneration");
        yield new Node.Scope(body);
      }
      case "break" -> new Node.Break();
      case "continue" -> new Node.Continue();
      default -> throw error("unsupported tag '" + keyword.text() + "'", keyword);
    };
    expect(Type.BLOCK_END, null);
    return stmt;
  }

  private Stmt ifStatement() {
    List<Expr> tests = new ArrayList<>();
    List<List<Stmt>> bodies = new ArrayList<>();
    List<Stmt> orElse = List.of();
    tests.add(tuple(false));
    expect(Type.BLOCK_END, null);
    Set<String> ends = Set.of("elif", "else", "endif");
    bodies.add(body(ends));
    while (true) {
      String tag = endTag("elif", "else", "endif");
      if (tag.equals("elif")) {
        tests.add(tuple(false));
        expect(Type.BLOCK_END, null);
        bodies.add(body(ends));
      } else if (tag.equals("else")) {
        expect(Type.BLOCK_END, null);
        orElse = body(Set.of("endif"));
        endTag("endif");
        break;
      } else {
        break;
      }
    }
    return new Node.If(tests, bodies, orElse);
  }

  private Stmt forStatement() {
    List<String> targets = targets();
    expect(Type.NAME, "in");
    Expr iter = tuple(false, false);
    Expr filter = null;
    if (acceptName("if")) {
      filter = expression(true);
    }
    if (peek().isName("recursive")) {
      throw error("recursive loops are not supported");
    }
    expect(Type.BLOCK_END, null);
    List<Stmt> body = body(Set.of("else", "endfor"));
    List<Stmt> orElse = List.of();
    if (endTag("else", "endfor").equals("else")) {
      expect(Type.BLOCK_END, null);
      orElse = body(Set.of("endfor"));
      endTag("endfor");
    }
    return new Node.For(targets, iter, filter, body, orElse);
  }

  private List<String> targets() {
    List<String> names = new ArrayList<>();
    boolean paren = acceptOp("(");
    do {
      if (peek().isOp(")") || peek().isName("in") || peek().isOp("=")) {
        break;
      }
      names.add(expect(Type.NAME, null).text());
    } while (acceptOp(","));
    if (paren) {
      expect(Type.OP, ")");
    }
    if (names.isEmpty()) {
      throw error("expected a name");
    }
    return names;
  }

  private Stmt setStatement() {
    Token first = peek();
    if (first.type() == Type.NAME && peek(1).isOp(".")) {
      at += 2;
      String attribute = expect(Type.NAME, null).text();
      expect(Type.OP, "=");
      return new Node.Set(List.of(first.text()), attribute, tuple(true));
    }
    List<String> targets = targets();
    if (acceptOp("=")) {
      return new Node.Set(targets, null, tuple(true));
    }
    if (targets.size() != 1) {
      throw error("a block set takes one name");
    }
    List<Node.FilterCall> filters = new ArrayList<>();
    while (acceptOp("|")) {
      filters.add(filterCall());
    }
    expect(Type.BLOCK_END, null);
    List<Stmt> body = body(Set.of("endset"));
    endTag("endset");
    return new Node.SetBlock(targets.get(0), body, filters);
  }

  private Stmt macro() {
    String name = expect(Type.NAME, null).text();
    expect(Type.OP, "(");
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    while (!acceptOp(")")) {
      if (!params.isEmpty()) {
        expect(Type.OP, ",");
        if (acceptOp(")")) {
          break;
        }
      }
      params.add(expect(Type.NAME, null).text());
      if (acceptOp("=")) {
        defaults.add(expression(true));
      } else if (!defaults.isEmpty()) {
        throw error("a parameter without a default follows one with a default");
      }
    }
    expect(Type.BLOCK_END, null);
    List<Stmt> body = body(Set.of("endmacro"));
    endTag("endmacro");
    return new Node.Macro(name, params, defaults, body);
  }

  private Stmt filterBlock() {
    List<Node.FilterCall> filters = new ArrayList<>();
    do {
      filters.add(filterCall());
    } while (acceptOp("|"));
    expect(Type.BLOCK_END, null);
    List<Stmt> body = body(Set.of("endfilter"));
    endTag("endfilter");
    return new Node.FilterBlock(filters, body);
  }

  private Stmt withBlock() {
    List<Stmt> body = new ArrayList<>();
    while (peek().type() == Type.NAME) {
      String name = next().text();
      expect(Type.OP, "=");
      body.add(new Node.Set(List.of(name), null, expression(true)));
      if (!acceptOp(",")) {
        break;
      }
    }
    expect(Type.BLOCK_END, null);
    body.addAll(body(Set.of("endwith")));
    endTag("endwith");
    return new Node.Scope(body);
  }

  // ---- expressions

  private Expr tuple(boolean withConditional) {
    return tuple(withConditional, true);
  }

  /** An expression, or a tuple of them separated by commas (a trailing comma makes a one-tuple). */
  private Expr tuple(boolean withConditional, boolean allowTuple) {
    Expr first = expression(withConditional);
    if (!allowTuple || !peek().isOp(",")) {
      return first;
    }
    List<Expr> items = new ArrayList<>(List.of(first));
    while (acceptOp(",")) {
      if (endOfTuple()) {
        break;
      }
      items.add(expression(withConditional));
    }
    return new Node.TupleExpr(items);
  }

  private boolean endOfTuple() {
    Token t = peek();
    return t.type() == Type.VAR_END || t.type() == Type.BLOCK_END || t.isOp(")") || t.isOp("]") || t.isOp("}")
        || t.isName("in") || t.isName("if");
  }

  private Expr expression(boolean withConditional) {
    if (++depth > 200) {
      throw error("expression nested too deeply");
    }
    try {
      return withConditional ? conditional() : or();
    } finally {
      depth--;
    }
  }

  private Expr conditional() {
    Expr expr = or();
    while (acceptName("if")) {
      Expr test = or();
      Expr orElse = acceptName("else") ? conditional() : null;
      expr = new Node.Conditional(test, expr, orElse);
    }
    return expr;
  }

  private Expr or() {
    Expr left = and();
    while (acceptName("or")) {
      left = new Node.Binary("or", left, and());
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (acceptName("and")) {
      left = new Node.Binary("and", left, not());
    }
    return left;
  }

  private Expr not() {
    if (acceptName("not")) {
      return new Node.Unary("not", not());
    }
    return compare();
  }

  private Expr compare() {
    Expr first = math1();
    List<String> ops = new ArrayList<>();
    List<Expr> rest = new ArrayList<>();
    while (true) {
      Token t = peek();
      String op = null;
      if (t.type() == Type.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
        op = t.text();
        at++;
      } else if (t.isName("in")) {
        op = "in";
        at++;
      } else if (t.isName("not") && peek(1).isName("in")) {
        op = "not in";
        at += 2;
      }
      if (op == null) {
        break;
      }
      ops.add(op);
      rest.add(math1());
    }
    return ops.isEmpty() ? first : new Node.Compare(first, ops, rest);
  }

  private Expr math1() {
    Expr left = concat();
    while (peek().isOp("+") || peek().isOp("-")) {
      String op = next().text();
      left = new Node.Binary(op, left, concat());
    }
    return left;
  }

  private Expr concat() {
    Expr left = math2();
    while (acceptOp("~")) {
      left = new Node.Binary("~", left, math2());
    }
    return left;
  }

  private Expr math2() {
    Expr left = pow();
    while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
      String op = next().text();
      left = new Node.Binary(op, left, pow());
    }
    return left;
  }

  private Expr pow() {
    Expr left = unary(true);
    while (acceptOp("**")) {
      left = new Node.Binary("**", left, unary(true));
    }
    return left;
  }

  private Expr unary(boolean withFilter) {
    Expr node;
    if (acceptOp("-")) {
      node = new Node.Unary("-", unary(false));
    } else if (acceptOp("+")) {
      node = new Node.Unary("+", unary(false));
    } else {
      node = primary();
    }
    node = postfix(node);
    return withFilter ? filters(node) : node;
  }

  private Expr primary() {
    Token t = next();
    switch (t.type()) {
      case NAME -> {
        return switch (t.text()) {
          case "true", "True" -> new Node.Literal(Boolean.TRUE);
          case "false", "False" -> new Node.Literal(Boolean.FALSE);
          case "none", "None" -> new Node.Literal(null);
          default -> new Node.Name(t.text());
        };
      }
      case STRING -> {
        StringBuilder s = new StringBuilder(t.text());
        while (peek().type() == Type.STRING) {
          s.append(next().text());
        }
        return new Node.Literal(s.toString());
      }
      case INT, FLOAT -> {
        return new Node.Literal(t.value());
      }
      case OP -> {
        switch (t.text()) {
          case "(" -> {
            if (acceptOp(")")) {
              return new Node.TupleExpr(List.of());
            }
            Expr first = expression(true);
            if (acceptOp(")")) {
              return first;
            }
            List<Expr> items = new ArrayList<>(List.of(first));
            while (acceptOp(",")) {
              if (peek().isOp(")")) {
                break;
              }
              items.add(expression(true));
            }
            expect(Type.OP, ")");
            return new Node.TupleExpr(items);
          }
          case "[" -> {
            List<Expr> items = new ArrayList<>();
            while (!acceptOp("]")) {
              if (!items.isEmpty()) {
                expect(Type.OP, ",");
                if (acceptOp("]")) {
                  break;
                }
              }
              items.add(expression(true));
            }
            return new Node.ListExpr(items);
          }
          case "{" -> {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!acceptOp("}")) {
              if (!keys.isEmpty()) {
                expect(Type.OP, ",");
                if (acceptOp("}")) {
                  break;
                }
              }
              keys.add(expression(true));
              expect(Type.OP, ":");
              values.add(expression(true));
            }
            return new Node.DictExpr(keys, values);
          }
          default -> throw error("unexpected " + t, t);
        }
      }
      default -> throw error("unexpected " + t, t);
    }
  }

  private Expr postfix(Expr node) {
    while (true) {
      if (acceptOp(".")) {
        Token t = next();
        if (t.type() == Type.NAME) {
          node = new Node.GetAttr(node, t.text());
        } else if (t.type() == Type.INT) {
          node = new Node.GetItem(node, new Node.Literal(t.value()));
        } else {
          throw error("expected a name after '.'", t);
        }
      } else if (acceptOp("[")) {
        node = subscript(node);
      } else if (peek().isOp("(")) {
        node = call(node);
      } else {
        return node;
      }
    }
  }

  private Expr subscript(Expr target) {
    Expr start = null;
    if (!peek().isOp(":")) {
      start = expression(true);
      if (acceptOp("]")) {
        return new Node.GetItem(target, start);
      }
    }
    expect(Type.OP, ":");
    Expr stop = peek().isOp("]") || peek().isOp(":") ? null : expression(true);
    Expr step = null;
    if (acceptOp(":")) {
      step = peek().isOp("]") ? null : expression(true);
    }
    expect(Type.OP, "]");
    return new Node.Slice(target, start, stop, step);
  }

  private Expr call(Expr target) {
    Args args = args();
    return new Node.Call(target, args.positional, args.keywords, args.values);
  }

  private record Args(List<Expr> positional, List<String> keywords, List<Expr> values) {}

  private Args args() {
    expect(Type.OP, "(");
    List<Expr> positional = new ArrayList<>();
    List<String> keywords = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    boolean first = true;
    while (!acceptOp(")")) {
      if (!first) {
        expect(Type.OP, ",");
        if (acceptOp(")")) {
          break;
        }
      }
      first = false;
      if (peek().type() == Type.NAME && peek(1).isOp("=")) {
        keywords.add(next().text());
        at++;
        values.add(expression(true));
      } else {
        if (!keywords.isEmpty()) {
          throw error("a positional argument follows a keyword argument");
        }
        positional.add(expression(true));
      }
    }
    return new Args(positional, keywords, values);
  }

  private Node.FilterCall filterCall() {
    Token start = expect(Type.NAME, null);
    String name = start.text();
    while (acceptOp(".")) {
      name = name + "." + expect(Type.NAME, null).text();
    }
    if (!Builtins.FILTERS.contains(name)) {
      throw error("no filter named '" + name + "'", start);
    }
    if (peek().isOp("(")) {
      Args args = args();
      return new Node.FilterCall(name, args.positional, args.keywords, args.values);
    }
    return new Node.FilterCall(name, List.of(), List.of(), List.of());
  }

  private Expr filters(Expr node) {
    while (true) {
      if (acceptOp("|")) {
        node = new Node.Filter(node, filterCall());
      } else if (peek().isName("is")) {
        at++;
        boolean negated = acceptName("not");
        Token name = expect(Type.NAME, null);
        String test = name.text();
        if (!Builtins.TESTS.contains(test)) {
          throw error("no test named '" + test + "'", name);
        }
        List<Expr> args = List.of();
        if (peek().isOp("(")) {
          args = args().positional;
        } else if (startsPrimary(peek()) && !peek().isName("else") && !peek().isName("or")
            && !peek().isName("and") && !peek().isName("is")) {
          args = List.of(postfix(primary()));
        }
        node = new Node.Test(node, test, args, negated);
      } else if (peek().isOp("(")) {
        node = call(node);
      } else {
        return node;
      }
    }
  }

  private static boolean startsPrimary(Token t) {
    return switch (t.type()) {
      case NAME, STRING, INT, FLOAT -> true;
      case OP -> t.text().equals("(") || t.text().equals("[") || t.text().equals("{");
      default -> false;
    };
  }
}
