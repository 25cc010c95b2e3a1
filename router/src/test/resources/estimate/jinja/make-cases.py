#!/usr/bin/env python3
"""Ground truth for Sluice's Jinja renderer: each case rendered by Python's Jinja2 configured as
Hugging Face transformers configures it for chat templates (transformers/utils/chat_template_utils.py,
_compile_jinja_template): ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with
loopcontrols and the generation tag, its tojson (json.dumps, ensure_ascii=False), raise_exception
and strftime_now (here at the fixed instant 2026-07-26T12:00:00Z).

Re-run from this directory: python3 make-cases.py   (needs Jinja2 3.x: pip install jinja2,
or apt-get install python3-jinja2). Writes jinja-cases.json.
"""
import json
from datetime import datetime, timezone

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

NOW = datetime(2026, 7, 26, 12, 0, 0, tzinfo=timezone.utc)


class Generation(Extension):
    """transformers' AssistantTracker without the tracking: {% generation %} renders its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[Generation, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]

# (name, template, context). Contexts are JSON values; the expected text or error comes from Jinja2.
CASES = [
    # Command R+'s `system_message != false` with an empty system message: '' != False is true in
    # Python (the JavaScript engine compares loosely and says false; vLLM runs Python).
    ("empty-string-is-not-false", "{{ '' != false }} {{ '' == false }} {{ 0 == false }} {{ none != false }}", {}),
    # whitespace control as transformers configures it
    ("trim-blocks", "{% if true %}\nyes\n{% endif %}\nafter", {}),
    ("lstrip-blocks", "a\n    {% if true %}\n    b\n    {% endif %}\nc", {}),
    ("lstrip-not-for-output", "a\n    {{ 'x' }}\n", {}),
    ("dash-strips-both", "a   \n  {%- if true -%}  \n  b  {%- endif -%}\n\n  c", {}),
    ("dash-on-output", "a \n {{- 'x' -}} \n b", {}),
    ("plus-keeps-lstrip", "a\n    {%+ if true %}b{% endif %}", {}),
    ("plus-keeps-newline", "{% if true +%}\nb{% endif %}", {}),
    ("comment-trimmed", "a\n  {# note #}\nb", {}),
    ("comment-dash", "a  {#- note -#}  b", {}),
    ("single-trailing-newline-dropped", "x\n\n", {}),
    ("raw-block", "{% raw %}{{ not parsed }}{% endraw %}!", {}),
    ("newline-in-string", "{{ 'a\nb' }}", {}),
    ("crlf-template", "{% if true %}\r\nyes\r\n{% endif %}\r\n", {}),
    ("tag-midline-no-lstrip", "x  {% if true %}y{% endif %}", {}),
    ("text-after-output-then-block", "{{ 'a' }}   \n   {% if true %}b{% endif %}", {}),
    # literals and printing
    ("print-none-bool", "{{ none }}|{{ true }}|{{ false }}|{{ None }}|{{ True }}", {}),
    ("print-numbers", "{{ 1 }} {{ 1.0 }} {{ 2.5 }} {{ 1e3 }} {{ 10 / 4 }} {{ 10 // 4 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}", {}),
    ("print-float-edge", "{{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e-5 }} {{ 123456789.125 }} {{ 3 * 1.5 }}", {}),
    ("print-list-dict", "{{ [1, 'a', none, true] }} {{ {'k': 'v', 'n': 1} }} {{ (1, 2) }}", {}),
    ("print-repr-quotes", "{{ [\"it's\", 'say \"hi\"', 'tab\\t', 'nl\\n', '\\\\'] }}", {}),
    ("print-undefined", "[{{ missing }}]", {}),
    ("string-escapes", "{{ 'a\\tb\\\\c\\'d\\\"e\\u00e9\\x41' }}", {}),
    ("adjacent-strings", "{{ 'a' 'b' \"c\" }}", {}),
    ("print-unicode", "{{ x }} {{ [x] }}", {"x": "héllo 世界 🎉"}),
    # operators
    ("concat-tilde", "{{ 'a' ~ 1 ~ none ~ true ~ [1] }}", {}),
    ("plus-str-int-error", "{{ 'a' + 1 }}", {}),
    ("plus-none-error", "{{ 'a' + x }}", {"x": None}),
    ("plus-undefined-error", "{{ 'a' + missing }}", {}),
    ("list-plus", "{{ [1] + [2, 3] }}", {}),
    ("str-mul", "{{ 'ab' * 3 }}{{ [0] * 2 }}", {}),
    ("bool-arith", "{{ true + 1 }} {{ true == 1 }} {{ 1 == 1.0 }}", {}),
    ("and-or-values", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }} {{ none or none }}", {}),
    ("not-precedence", "{{ not x is defined }} {{ not 1 == 2 }} {{ not 'a' in 'abc' }}", {}),
    ("in-operators", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }}", {}),
    ("in-none-error", "{{ 'a' in x }}", {"x": None}),
    ("compare-chain", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }}", {}),
    ("compare-type-error", "{{ 1 < 'a' }}", {}),
    ("eq-mixed", "{{ 1 == '1' }} {{ none == none }} {{ [1, {'a': 2}] == [1, {'a': 2}] }} {{ missing == none }}", {}),
    ("ternary", "{{ 'y' if x else 'n' }} {{ 'y' if not x }}|{{ 1 if x else 2 if true else 3 }}", {"x": 0}),
    ("unary", "{{ -x }} {{ - 2 ** 2 }} {{ +3 }}", {"x": 5}),
    ("filter-binds-tighter", "{{ 'a' + ' b ' | trim + 'c' }} {{ -x | abs }}", {"x": 3}),
    # member access
    ("dict-access", "{{ d.a }} {{ d['a'] }} {{ d.missing is defined }} {{ d['b']['c'] }}", {"d": {"a": 1, "b": {"c": 2}}}),
    ("dict-method-shadows-key", "{{ d['items'] }} {{ d.items() | list }}", {"d": {"items": "key"}}),
    ("list-index", "{{ xs[0] }} {{ xs[-1] }} {{ xs[5] is defined }} {{ xs.0 }}", {"xs": [1, 2, 3]}),
    ("undefined-attr-error", "{{ missing.x }}", {}),
    ("none-attr-undefined", "{{ x.y is defined }}", {"x": None}),
    ("str-attr-undefined", "{{ 'abc'.content is defined }}", {}),
    ("slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-2:] }} {{ xs[5:] }} {{ 'hello'[1:3] }} {{ 'abc'[::-1] }}", {"xs": [1, 2, 3, 4]}),
    ("unicode-slice", "{{ s[1:] }} {{ s | length }} {{ s[0] }}", {"s": "🎉ab世"}),
    # tests
    ("tests-types", "{{ 'a' is string }} {{ 1 is number }} {{ 1 is integer }} {{ 1.0 is float }} {{ true is boolean }} {{ {} is mapping }} {{ [] is iterable }} {{ 'a' is iterable }} {{ 1 is iterable }} {{ none is none }} {{ [] is sequence }}", {}),
    ("tests-values", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby(3) }} {{ 9 is divisibleby 3 }} {{ 'a' is eq('a') }} {{ 'a' is equalto 'a' }} {{ 'ab' is lower }} {{ 'AB' is upper }} {{ true is true }} {{ 1 is true }} {{ x is sameas none }}", {"x": None}),
    ("tests-defined", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ x is not none }} {{ x is none }}", {"x": None}),
    ("test-callable-in", "{{ range is callable }} {{ 2 is in [1, 2] }}", {}),
    # filters
    ("trim", "[{{ '  a b \n' | trim }}][{{ 'xxaxx' | trim('x') }}][{{ missing | trim }}]", {}),
    ("length", "{{ 'abc' | length }} {{ [1, 2] | length }} {{ {'a': 1} | count }} {{ missing | length }}", {}),
    ("tojson-default", "{{ x | tojson }}", {"x": {"a": [1, 2, {"b": None, "c": True}], "é": "ü\n\"", "n": 1.5}}),
    ("tojson-indent", "{{ x | tojson(indent=4) }}", {"x": {"a": [1, 2, {"b": None}], "e": [], "f": {}}}),
    ("tojson-indent-positional-error", "{{ x | tojson(2) }}", {"x": {"a": 1}}),
    ("tojson-sort-separators", "{{ x | tojson(sort_keys=true, separators=(',', ':')) }}", {"x": {"b": 1, "a": [1, 2]}}),
    ("tojson-string-html", "{{ '<a href=\"x\">&</a>' | tojson }}", {}),
    ("tojson-undefined-error", "{{ missing | tojson }}", {}),
    ("join-map", "{{ xs | join(', ') }} {{ ms | map(attribute='role') | join('/') }} {{ ms | map(attribute='nope', default='?') | join }} {{ ['a', 'b'] | map('upper') | list }}", {"xs": [1, "a", None], "ms": MSGS}),
    ("join-attribute", "{{ ms | join('|', attribute='role') }}", {"ms": MSGS}),
    ("selectattr", "{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ ms | rejectattr('role', 'eq', 'user') | list | length }} {{ ms | selectattr('tool_calls', 'undefined') | list | length }} {{ ms | selectattr('content') | list | length }}", {"ms": MSGS + [{"role": "assistant", "content": "", "tool_calls": []}]}),
    ("select-reject", "{{ [0, 1, 2, none, 'a'] | select | list }} {{ [1, 2, 3, 4] | reject('odd') | list }} {{ [1, 2, 3] | select('gt', 1) | list }}", {}),
    ("default", "{{ missing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ x | d('z') }} {{ missing | default }}|", {"x": "set"}),
    ("case-filters", "{{ 'hello world' | upper }} {{ 'HeLLo' | lower }} {{ 'hello world' | capitalize }} {{ 'hello wORLD' | title }}", {}),
    ("first-last-list", "{{ xs | first }} {{ xs | last }} {{ 'abc' | list }} {{ 'abc' | first }} {{ [] | first is defined }}", {"xs": [3, 4, 5]}),
    ("replace-string", "{{ 'a-b-c' | replace('-', '+') }} {{ 'a-b-c' | replace('-', '', 1) }} {{ 5 | string + 'x' }}", {}),
    ("int-float-abs-round", "{{ '42' | int + 1 }} {{ 'x' | int }} {{ '2.5' | float }} {{ 3.7 | int }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 2.1 | round(0, 'ceil') }}", {}),
    ("items-dictsort", "{% for k, v in d | items %}{{ k }}={{ v }};{% endfor %} {% for k, v in d | dictsort %}{{ k }};{% endfor %}", {"d": {"b": 2, "a": 1}}),
    ("reverse-sort-unique", "{{ [3, 1, 2] | sort | list }} {{ [3, 1, 2] | sort(reverse=true) | list }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }} {{ ['b', 'A', 'a', 'B'] | unique | list }} {{ ms | sort(attribute='role') | map(attribute='role') | list }}", {"ms": MSGS}),
    ("min-max-sum", "{{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ [1, 2, 3] | sum }} {{ [{'n': 1}, {'n': 2}] | sum(attribute='n') }}", {}),
    ("indent-filter", "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(2, blank=true) }}", {}),
    ("wordcount-batch-center", "{{ 'a b  c' | wordcount }} {{ [1, 2, 3] | batch(2) | list }} [{{ 'ab' | center(6) }}]", {}),
    ("escape-safe", "{{ '<b>&\"' | e }} {{ '<b>' | safe }}", {}),
    ("format-filter", "{{ '%s-%d' | format('a', 3) }} {{ '%s%%' | format(5) }}", {}),
    ("attr-filter", "{{ d | attr('a') }}", {"d": {"a": 1}}),
    # string methods
    ("str-strip", "[{{ '  a  '.strip() }}][{{ '  a  '.lstrip() }}][{{ '  a  '.rstrip() }}][{{ 'xay'.strip('xy') }}][{{ '\u00a0a\u3000'.strip() }}]", {}),
    ("str-split", "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ '  a b  '.split(none, 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'x</think>y'.split('</think>')[-1] }}", {}),
    ("str-splitlines", "{{ 'a\nb\r\nc\n'.splitlines() }}", {}),
    ("str-startswith", "{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('bc') }} {{ 'abc'.startswith(('x', 'a')) }} {{ '<tool_response>x'.startswith('<tool_response>') }}", {}),
    ("str-case-find", "{{ 'aBc'.upper() }} {{ 'aBc'.lower() }} {{ 'hello world'.title() }} {{ 'abc'.capitalize() }} {{ 'abcb'.find('b') }} {{ 'abcb'.rfind('b') }} {{ 'abc'.find('z') }} {{ 'abcb'.count('b') }}", {}),
    ("str-replace-join", "{{ 'aaa'.replace('a', 'b', 2) }} {{ ', '.join(['a', 'b']) }} {{ '-'.join('xyz') }}", {}),
    ("str-predicates", "{{ '123'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }} {{ 'a1'.isalnum() }} {{ ''.isdigit() }}", {}),
    ("str-format-method", "{{ '{} and {}'.format('a', 1) }} {{ '{0}{0}'.format('x') }} {{ '{n}!'.format(n='k') }}", {}),
    ("join-non-str-error", "{{ ', '.join([1, 2]) }}", {}),
    # dict and list methods, sandbox
    ("dict-methods", "{{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}", {"d": {"a": 1, "b": 2}}),
    ("list-append-unsafe", "{% set xs = [] %}{{ xs.append(1) }}", {}),
    ("dict-update-unsafe", "{% set d = {} %}{{ d.update({'a': 1}) }}", {}),
    ("private-attr-undefined", "{{ x.__class__ is defined }}", {"x": "a"}),
    ("list-methods", "{{ [1, 2, 2].count(2) }} {{ ['a', 'b'].index('b') }}", {}),
    # loops
    ("loop-vars", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {"xs": ["a", "b", "c"]}),
    ("loop-prev-next-cycle", "{% for x in xs %}{{ loop.previtem | default('-') }}{{ loop.nextitem | default('-') }}{{ loop.cycle('o', 'e') }};{% endfor %}", {"xs": [1, 2, 3]}),
    ("loop-else", "{% for x in [] %}x{% else %}empty{% endfor %}", {}),
    ("loop-filter", "{% for x in xs if x is odd %}{{ x }}{{ loop.last }};{% endfor %}", {"xs": [1, 2, 3, 4, 5]}),
    ("loop-break-continue", "{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", {"xs": [1, 2, 3, 4, 5]}),
    ("loop-dict-keys", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"x": 1, "y": 2}}),
    ("loop-string", "{% for c in 'ab🎉' %}[{{ c }}]{% endfor %}", {}),
    ("loop-undefined-empty", "{% for x in missing %}x{% endfor %}ok", {}),
    ("loop-none-error", "{% for x in none %}x{% endfor %}", {}),
    ("loop-nested-loop-var", "{% for a in [1, 2] %}{% for b in [3, 4] %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}", {}),
    ("loop-unpack", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}", {}),
    ("loop-over-messages-reverse", "{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %}", {"messages": MSGS}),
    ("range", "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }}", {}),
    # scoping, namespace, set
    ("set-in-loop-does-not-leak", "{% set x = 1 %}{% for i in [1, 2] %}{% set x = i * 10 %}{{ x }}{% endfor %}{{ x }}", {}),
    ("set-in-if-leaks", "{% if true %}{% set x = 5 %}{% endif %}{{ x }}", {}),
    ("set-in-loop-persists-across-iterations", "{% for i in [1, 2, 3] %}{% if i == 1 %}{% set y = 'one' %}{% endif %}{{ y | default('-') }}{% endfor %}", {}),
    ("namespace", "{% set ns = namespace(n=0, s='') %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% set ns.s = ns.s ~ i %}{% endfor %}{{ ns.n }} {{ ns.s }} {{ ns.missing is defined }}", {}),
    ("namespace-set-on-dict-error", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("set-tuple", "{% set a, b = [1, 2] %}{{ b }}{{ a }}", {}),
    ("set-block", "{% set x %}  inner {{ 1 }}\n{% endset %}[{{ x }}]{% set y | upper %}abc{% endset %}{{ y }}", {}),
    ("shadow-context-var", "{% set messages = messages[1:] %}{{ messages | length }}", {"messages": MSGS}),
    ("with-block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a is defined }}", {}),
    # macros
    ("macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }} {{ greet(name='C', punct='.') }}", {}),
    ("macro-recursive", "{% macro r(n) %}{{ n }}{% if n > 0 %}{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(3) }}", {}),
    ("macro-sees-globals", "{% set g = 'G' %}{% macro m() %}{{ g }}{{ top }}{% endmacro %}{{ m() }}", {"top": "T"}),
    ("macro-missing-arg", "{% macro m(a, b) %}[{{ a }}][{{ b }}]{% endmacro %}{{ m(1) }}", {}),
    ("macro-render-json", "{% macro render(v) %}{% if v is mapping %}{% for k, x in v.items() %}{{ k }}:{{ render(x) }},{% endfor %}{% elif v is string %}'{{ v }}'{% else %}{{ v | tojson }}{% endif %}{% endmacro %}{{ render(d) }}", {"d": {"a": {"b": "c", "n": [1, 2]}, "z": None}}),
    # extensions
    ("raise-exception", "{% if x %}{{ raise_exception('bad ' ~ x) }}{% endif %}", {"x": "input"}),
    ("strftime-now", "{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M:%S %A %B %y %j %p %I') }}", {}),
    ("generation-tag", "{% for m in ms %}{% generation %}[{{ m.content }}]{% endgeneration %}{% endfor %}", {"ms": MSGS}),
    ("filter-block", "{% filter upper %}abc{{ 'd' }}{% endfilter %}", {}),
    ("namespace-from-dict-literal", "{% set ns = namespace({'a': 1}) %}{{ ns.a }}", {}),
    ("dict-literal-and-global", "{% set d = dict(a=1, b='x') %}{{ d.b }}{{ d | length }}", {}),
    # syntax errors (Sluice must refuse to load these, as Jinja does)
    ("syntax-unclosed-if", "{% if true %}x", {}),
    ("syntax-bad-expr", "{{ 1 + }}", {}),
    ("syntax-unknown-tag", "{% frobnicate %}", {}),
]


def main():
    env = environment()
    out = []
    for name, template, context in CASES:
        case = {"name": name, "template": template, "context": context}
        try:
            compiled = env.from_string(template)
        except jinja2.exceptions.TemplateSyntaxError as e:
            case.update(rendered=None, error="syntax", message=str(e))
            out.append(case)
            continue
        try:
            case.update(rendered=compiled.render(**context), error=None)
        except jinja2.exceptions.TemplateSyntaxError as e:
            case.update(rendered=None, error="syntax", message=str(e))
        except Exception as e:  # the engine answers 400 for any of these
            case.update(rendered=None, error="render", message=f"{type(e).__name__}: {e}")
        out.append(case)
    doc = {"generator": f"make-cases.py with Jinja2 {jinja2.__version__}", "now": NOW.isoformat(), "cases": out}
    with open("jinja-cases.json", "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(out)} cases, {sum(1 for c in out if c['error'])} errors")


if __name__ == "__main__":
    main()
