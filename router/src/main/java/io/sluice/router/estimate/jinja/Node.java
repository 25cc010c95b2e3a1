package io.sluice.router.estimate.jinja;

import java.util.List;

/** The syntax tree of a template: statements that write, expressions that compute. */
sealed interface Node {

  /** A statement. */
  sealed interface Stmt extends Node {}

  /** An expression. */
  sealed interface Expr extends Node {}

  record Text(String text) implements Stmt {}

  record Output(Expr expr) implements Stmt {}

  record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> orElse) implements Stmt {}

  record For(List<String> targets, Expr iter, Expr filter, List<Stmt> body, List<Stmt> orElse) implements Stmt {}

  /** {@code set name = value}, {@code set a, b = value} or {@code set ns.attr = value}. */
  record Set(List<String> targets, String attribute, Expr value) implements Stmt {}

  /** {@code set name %}...{% endset}: the body's output as a string, through optional filters. */
  record SetBlock(String target, List<Stmt> body, List<FilterCall> filters) implements Stmt {}

  record Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body) implements Stmt {}

  record FilterBlock(List<FilterCall> filters, List<Stmt> body) implements Stmt {}

  record Scope(List<Stmt> body) implements Stmt {}

  record Break() implements Stmt {}

  record Continue() implements Stmt {}

  record Literal(Object value) implements Expr {}

  record Name(String name) implements Expr {}

  record ListExpr(List<Expr> items) implements Expr {}

  record TupleExpr(List<Expr> items) implements Expr {}

  record DictExpr(List<Expr> keys, List<Expr> values) implements Expr {}

  record GetAttr(Expr target, String name) implements Expr {}

  record GetItem(Expr target, Expr key) implements Expr {}

  record Slice(Expr target, Expr start, Expr stop, Expr step) implements Expr {}

  record Call(Expr target, List<Expr> args, List<String> keywords, List<Expr> keywordValues) implements Expr {}

  record FilterCall(String name, List<Expr> args, List<String> keywords, List<Expr> keywordValues) {}

  record Filter(Expr target, FilterCall filter) implements Expr {}

  record Test(Expr target, String name, List<Expr> args, boolean negated) implements Expr {}

  record Unary(String op, Expr operand) implements Expr {}

  record Binary(String op, Expr left, Expr right) implements Expr {}

  /** {@code a < b <= c}: each pair compared, all must hold. */
  record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr {}

  record Conditional(Expr test, Expr then, Expr orElse) implements Expr {}
}
