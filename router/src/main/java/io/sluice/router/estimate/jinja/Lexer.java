package io.sluice.router.estimate.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and tag tokens the way Hugging Face configures Jinja for chat
 * templates: {@code trim_blocks} (the first newline after a block or comment tag is dropped),
 * {@code lstrip_blocks} (spaces and tabs before a block or comment tag at the start of a line are
 * dropped), {@code -} and {@code +} whitespace control on every tag, and the template's single
 * trailing newline removed ({@code keep_trailing_newline=False}).
 */
final class Lexer {
  enum Type { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

  record Token(Type type, String text, Object value, int line) {
    boolean is(Type t, String s) {
      return type == t && text.equals(s);
    }

    boolean isOp(String s) {
      return type == Type.OP && text.equals(s);
    }

    boolean isName(String s) {
      return type == Type.NAME && text.equals(s);
    }

    @Override
    public String toString() {
      return type == Type.EOF ? "end of template" : "'" + text + "'";
    }
  }

  private static final String[] OPERATORS = {
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<",
    ">", "=", ".", ":", "|", ",", ";"
  };

  private final String src;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int line = 1;

  private Lexer(String source) {
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    this.src = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  static List<Token> tokenize(String source) {
    Lexer lexer = new Lexer(source);
    lexer.run();
    return lexer.tokens;
  }

  private void run() {
    boolean lineStarting = true;
    while (pos < src.length()) {
      int open = nextTag(pos);
      if (open < 0) {
        text(src.substring(pos));
        pos = src.length();
        break;
      }
      String text = src.substring(pos, open);
      char kind = src.charAt(open + 1);
      char sign = open + 2 < src.length() ? src.charAt(open + 2) : 0;
      if (sign == '-') {
        text = Py.rstrip(text);
      } else if (sign != '+' && kind != '{') {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting) && Py.isBlank(text, lineStart)) {
          text = text.substring(0, lineStart);
        }
      }
      text(text);
      countLines(pos, open);
      pos = open + 2 + (sign == '-' || sign == '+' ? 1 : 0);
      if (kind == '#') {
        int close = src.indexOf("#}", pos);
        if (close < 0) {
          throw syntax("unclosed comment");
        }
        boolean strip = src.charAt(close - 1) == '-' && close - 1 >= pos;
        boolean keep = src.charAt(close - 1) == '+' && close - 1 >= pos;
        countLines(pos, close);
        pos = close + 2;
        lineStarting = after(strip, !keep);
      } else {
        boolean block = kind == '%';
        int tagLine = line;
        tokens.add(new Token(block ? Type.BLOCK_BEGIN : Type.VAR_BEGIN, block ? "{%" : "{{", null, tagLine));
        int end = expression(block ? '%' : '}');
        boolean strip = src.charAt(end) == '-';
        boolean keep = src.charAt(end) == '+';
        pos = end + (strip || keep ? 3 : 2);
        tokens.add(new Token(block ? Type.BLOCK_END : Type.VAR_END, block ? "%}" : "}}", null, line));
        lineStarting = after(strip, block && !keep);
        if (block && isRaw()) {
          raw();
          lineStarting = false;
        }
      }
    }
    tokens.add(new Token(Type.EOF, "", null, line));
  }

  /** After a tag: {@code -} strips all whitespace, trim_blocks one newline; true if a newline went. */
  private boolean after(boolean strip, boolean trimNewline) {
    if (strip) {
      int start = pos;
      while (pos < src.length() && Py.isSpace(src.charAt(pos))) {
        pos++;
      }
      countLines(start, pos);
      return pos > start && src.charAt(pos - 1) == '\n';
    }
    if (trimNewline && pos < src.length() && src.charAt(pos) == '\n') {
      pos++;
      line++;
      return true;
    }
    return false;
  }

  private int nextTag(int from) {
    int i = from;
    while (true) {
      i = src.indexOf('{', i);
      if (i < 0 || i + 1 >= src.length()) {
        return -1;
      }
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
      i++;
    }
  }

  private void text(String text) {
    if (!text.isEmpty()) {
      tokens.add(new Token(Type.TEXT, text, text, line));
    }
  }

  private void countLines(int from, int to) {
    for (int i = from; i < to; i++) {
      if (src.charAt(i) == '\n') {
        line++;
      }
    }
  }

  /** Tokens of an expression up to its closing tag; returns the index of the closing tag (its sign if any). */
  private int expression(char closer) {
    while (true) {
      while (pos < src.length() && Py.isSpace(src.charAt(pos))) {
        if (src.charAt(pos) == '\n') {
          line++;
        }
        pos++;
      }
      if (pos >= src.length()) {
        throw syntax("unclosed tag");
      }
      if (closes(pos, closer)) {
        return pos;
      }
      if ((src.charAt(pos) == '-' || src.charAt(pos) == '+') && closes(pos + 1, closer)) {
        return pos;
      }
      char c = src.charAt(pos);
      if (c == '\'' || c == '"') {
        string(c);
      } else if (Character.isDigit(c)) {
        number();
      } else if (Character.isLetter(c) || c == '_') {
        int start = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
          pos++;
        }
        String name = src.substring(start, pos);
        tokens.add(new Token(Type.NAME, name, name, line));
      } else {
        operator();
      }
    }
  }

  private boolean closes(int at, char closer) {
    return at + 1 < src.length() && src.charAt(at) == closer && src.charAt(at + 1) == '}';
  }

  private void operator() {
    for (String op : OPERATORS) {
      if (src.startsWith(op, pos)) {
        tokens.add(new Token(Type.OP, op, op, line));
        pos += op.length();
        return;
      }
    }
    throw syntax("unexpected character '" + src.charAt(pos) + "'");
  }

  private void number() {
    int start = pos;
    while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
    boolean isFloat = false;
    if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
      isFloat = true;
      pos++;
      while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
        pos++;
      }
    }
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      int mark = pos;
      pos++;
      if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
        pos++;
      }
      if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
        isFloat = true;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
          pos++;
        }
      } else {
        pos = mark;
      }
    }
    String text = src.substring(start, pos).replace("_", "");
    try {
      tokens.add(isFloat ? new Token(Type.FLOAT, text, Double.parseDouble(text), line)
          : new Token(Type.INT, text, Long.parseLong(text), line));
    } catch (NumberFormatException e) {
      throw syntax("number out of range: " + text);
    }
  }

  private void string(char quote) {
    int startLine = line;
    StringBuilder value = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= src.length()) {
        throw syntax("unclosed string");
      }
      char c = src.charAt(pos++);
      if (c == quote) {
        break;
      }
      if (c == '\n') {
        line++;
      }
      if (c != '\\') {
        value.append(c);
        continue;
      }
      if (pos >= src.length()) {
        throw syntax("unclosed string");
      }
      char e = src.charAt(pos++);
      switch (e) {
        case 'n' -> value.append('\n');
        case 't' -> value.append('\t');
        case 'r' -> value.append('\r');
        case 'b' -> value.append('\b');
        case 'f' -> value.append('\f');
        case 'v' -> value.append('\u000b');
        case 'a' -> value.append('\u0007');
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int end = pos - 1;
          while (end < src.length() && end < pos + 2 && src.charAt(end) >= '0' && src.charAt(end) <= '7') {
            end++;
          }
          value.append((char) Integer.parseInt(src.substring(pos - 1, end), 8));
          pos = end;
        }
        case 'x' -> value.appendCodePoint(hex(2));
        case 'u' -> value.appendCodePoint(hex(4));
        case 'U' -> value.appendCodePoint(hex(8));
        case '\n' -> line++; // a backslash-newline continues the string
        case '\\', '\'', '"' -> value.append(e);
        default -> value.append('\\').append(e);
      }
    }
    String text = value.toString();
    tokens.add(new Token(Type.STRING, text, text, startLine));
  }

  private int hex(int digits) {
    if (pos + digits > src.length()) {
      throw syntax("truncated escape");
    }
    try {
      int cp = Integer.parseInt(src.substring(pos, pos + digits), 16);
      pos += digits;
      if (!Character.isValidCodePoint(cp)) {
        throw syntax("invalid escape");
      }
      return cp;
    } catch (NumberFormatException e) {
      throw syntax("invalid escape");
    }
  }

  /** Whether the tag just closed is {@code {% raw %}}. */
  private boolean isRaw() {
    int n = tokens.size();
    return n >= 3 && tokens.get(n - 2).isName("raw") && tokens.get(n - 3).type() == Type.BLOCK_BEGIN;
  }

  /** The text up to {@code {% endraw %}}, as it is; the raw tags themselves leave no tokens. */
  private void raw() {
    tokens.remove(tokens.size() - 1);
    tokens.remove(tokens.size() - 1);
    tokens.remove(tokens.size() - 1);
    int search = pos;
    while (true) {
      int open = src.indexOf("{%", search);
      if (open < 0) {
        throw syntax("missing endraw");
      }
      int i = open + 2;
      boolean strip = i < src.length() && src.charAt(i) == '-';
      if (strip || (i < src.length() && src.charAt(i) == '+')) {
        i++;
      }
      while (i < src.length() && Py.isSpace(src.charAt(i))) {
        i++;
      }
      if (src.startsWith("endraw", i)) {
        int j = i + 6;
        while (j < src.length() && Py.isSpace(src.charAt(j))) {
          j++;
        }
        boolean stripAfter = j < src.length() && src.charAt(j) == '-';
        boolean keepAfter = j < src.length() && src.charAt(j) == '+';
        int close = j + (stripAfter || keepAfter ? 1 : 0);
        if (close + 1 < src.length() && src.charAt(close) == '%' && src.charAt(close + 1) == '}') {
          String text = src.substring(pos, open);
          text(strip ? Py.rstrip(text) : text);
          countLines(pos, close);
          pos = close + 2;
          after(stripAfter, !keepAfter);
          return;
        }
      }
      search = open + 2;
    }
  }

  private TemplateException syntax(String message) {
    return new TemplateException(TemplateException.Kind.SYNTAX, message + " (line " + line + ")");
  }
}
