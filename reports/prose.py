"""Plain text of the checks and derivations, typeset: mathematics as LaTeX, numbers as macros.

The claim modules write their labels, bases, notes and reasons as plain ASCII lines ("the
printed T2 as the traverse time (measured 1.268 vs 0.6356, within +- 0.0227)", "derived/printed
~ (1-mu)^(-1/10) (ratio (1 - mu)**(-1/10))"), readable in a terminal, a JSON file and pytest's
output. The report must show the same text in one notation (issue 15, Build 3): Greek letters
typeset, no SymPy ``**``, numbers with stated significant digits. :func:`to_latex` does that
without changing what the text says:

* the text is cut into tokens (identifiers, numbers, operators, spaces, punctuation);
* identifiers are *mathematical* when they are Greek names (``mu``, ``lambda_1``), carry a
  subscript (``C_d``, ``h_i``, ``v_(k+1)``), are a phase quantity (``T1``, ``N3``), a single letter
  that is not an English word, or a function (``log``, ``sqrt``) applied to something; claim ids
  (C1-C14, D1-D4, E1) and assumption names (A1, A2) stay text;
* maximal runs of mathematical tokens and operators become one ``$...$`` each; a run that holds
  SymPy's printed syntax (``*``, ``**``) is parsed by SymPy and typeset by ``sympy.latex`` with the
  paper's symbol names (:func:`theory.symbols.latex`), every other run token by token;
* every number, inside mathematics or not, goes through the ``number`` callback (the report's
  macro file, :class:`reports.assemble.Numbers`), formatted by :func:`format_significant`.

A run that SymPy cannot parse is typeset token by token, so nothing is ever dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

SIGNIFICANT = 4  # significant digits of every number in generated text (stated in the glossary)
NOISE = 1e-12  # magnitudes below this are floating-point noise, shown as 0 (stated likewise)

GREEK = {
    "alpha": r"\alpha",
    "beta": r"\beta",
    "gamma": r"\gamma",
    "delta": r"\delta",
    "epsilon": r"\epsilon",
    "eps": r"\epsilon",
    "zeta": r"\zeta",
    "eta": r"\eta",
    "theta": r"\theta",
    "kappa": r"\kappa",
    "lambda": r"\lambda",
    "mu": r"\mu",
    "nu": r"\nu",
    "xi": r"\xi",
    "pi": r"\pi",
    "rho": r"\rho",
    "sigma": r"\sigma",
    "tau": r"\tau",
    "phi": r"\phi",
    "chi": r"\chi",
    "psi": r"\psi",
    "omega": r"\omega",
    "Gamma": r"\Gamma",
    "Delta": r"\Delta",
    "Theta": r"\Theta",
    "Lambda": r"\Lambda",
    "Sigma": r"\Sigma",
    "Phi": r"\Phi",
    "Psi": r"\Psi",
    "Omega": r"\Omega",
}
FUNCTIONS = {
    "log": r"\log",
    "ln": r"\ln",
    "exp": r"\exp",
    "max": r"\max",
    "min": r"\min",
    "sup": r"\sup",
    "diag": r"\operatorname{diag}",
    "erfcinv": r"\operatorname{erfc}^{-1}",
    "Var": r"\operatorname{Var}",
    "Cov": r"\operatorname{Cov}",
    "grad": r"\nabla",
    "sum": r"\sum",
    "sqrt": r"\sqrt",
}
# multi-letter subscripts that are words, typeset upright
_UPRIGHT_SUBSCRIPTS = {"max", "min", "async", "valid", "stat", "band", "e1", "wrong", "hat"}
# identifiers the checks use whose typeset form is not their spelling
SPECIAL = {
    "oo": r"\infty",
    "inf": r"\infty",
    "alpha_i1": r"\alpha_{i,1}",
    "alpha_ij": r"\alpha_{i,j}",
    "alpha_12": r"\alpha_{1,2}",
    "z_nu": r"z_\nu",
    "m4": r"m_4",
    "r_max": r"r_{\max}",
    "tau_max": r"\tau_{\max}",
    "N_async": r"N_{\mathrm{async}}",
    "N3_hat": r"\hat N_3",
    "N3_tilde": r"\tilde N_3",
    "mhat_k": r"\hat m_k",
    "vhat": r"\hat v",
}
_TEXT_IDS = re.compile(
    r"^(?:C\d{1,2}|D\d|E1|A\d|DOP\d+|Numba|SymPy|CPU|GPU[s]?|PS|SE|SD|CI|TV|OU|ODE|SDE|MSGD|SGD|PCA|MLP|ps|pca|eq)$"
)
_PHASE = re.compile(r"^([TNU])(\d)$")  # T1, N3, U2: Phase quantities of the paper
_ENGLISH_SINGLE = {"a", "A", "I"}

# tokens: identifiers (with subscripts in braces or parentheses), numbers, operators, spaces
_TOKEN = re.compile(
    r"""
    (?P<word>[A-Za-z][A-Za-z0-9]*(?:_(?:\{[^{}]*\}|\([^()]*\)|[A-Za-z0-9]+))*)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)
  | (?P<op>\*\*|<=|>=|->|\+-|!=|<~|~=|\|\||=>|[-+*/^=<>~|(){}\[\],_\u00d7])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_STRONG = {
    "\u00d7",
    "^",
    "**",
    "*",
    "=",
    "<",
    ">",
    "<=",
    ">=",
    "->",
    "~",
    "<~",
    "~=",
    "+-",
    "!=",
    "||",
    "=>",
}
_OPEN, _CLOSE = {"(": ")", "[": "]", "{": "}"}, {")": "(", "]": "[", "}": "{"}
_OP_LATEX = {
    "**": "^",
    "*": r"\,",
    "<=": r"\leq ",  # \leq, not \le: matplotlib's mathtext knows only the long names
    ">=": r"\geq ",
    "->": r"\to ",
    "+-": r"\pm ",
    "!=": r"\neq ",
    "<~": r"\lesssim ",
    "~=": r"\approx ",
    "~": r"\sim ",
    "||": r"\|",
    "\u00d7": r"\times ",
    "=>": r"\Rightarrow ",
    "{": r"\{",
    "}": r"\}",
    "<": "<",
    ">": ">",
}
# code identifiers (steady_bound, mean_over_eps, LockFreeResult.steady_bound): typewriter
_CODE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*(?:_[A-Za-z0-9]+)+\b")


def _is_code(name: str) -> bool:
    """A name with an underscore whose parts are words, not a symbol and its subscript."""
    if "." in name:
        return True
    parts = name.split("_")
    head, rest = parts[0], parts[1:]
    if name in SPECIAL or head in GREEK or head in FUNCTIONS:
        return False
    return len(head) >= 3 and all(len(p) >= 3 and p not in GREEK for p in rest)


# a file or a project path (benchmarks/e1_level.py, docs/e1-level.json): typewriter, as is
_PATH = re.compile(
    r"\b(?:[\w-]+/)*[\w-]+\.(?:py|json|md|pdf|png|toml|sqlite|tex|txt|csv)\b"
    r"|\b(?:docs|benchmarks|reports|checks|theory|simulate|tests|asyncmsgd)/[\w./-]*\w"
)
# a command line in the text (asyncmsgd verify --claims C7): typewriter, dashes kept
_COMMAND = re.compile(
    r"\b(?:asyncmsgd (?:report|verify|derive|claims|figure1|figure2|stability|validity|results"
    r"|sweep|simulate|adaptive)|pytest)(?: -{1,2}[A-Za-z][\w-]*(?: (?!-)[A-Za-z0-9][\w.,:/]*)?)*"
    r"(?<![.,])"
)

_PLACEHOLDER = 0xE000  # private-use characters stand for protected abbreviations
_ABBREVIATIONS = re.compile(r"\b(e\.g\.|i\.e\.|cf\.|vs\.|resp\.)")


def format_significant(value: float, digits: int = SIGNIFICANT) -> str:
    """A number as LaTeX (math or text): integers exactly, other values to ``digits``
    significant digits without trailing zeros, powers of ten as ``\\times 10^{k}`` outside
    [1e-4, 1e5); floating-point noise (|x| < :data:`NOISE`) as 0."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    x = float(value)
    if math.isnan(x):
        return r"\textrm{n/a}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if abs(x) < NOISE:
        return "0"
    if isinstance(value, int) or (x.is_integer() and abs(x) < 1e15):
        return f"{int(x):d}"
    exp = math.floor(math.log10(abs(x)))
    if -4 <= exp < 5:
        text = f"{x:.{max(digits - 1 - exp, 0)}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    mant = f"{x / 10**exp:.{digits - 1}f}".rstrip("0").rstrip(".")
    return mant + r"\times 10^{" + str(exp) + "}"


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, num, op, space, other
    text: str


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        out.append(_Tok(kind, m.group()))
    return out


def _next_solid(toks: list[_Tok], i: int, step: int = 1) -> _Tok | None:
    j = i + step
    while 0 <= j < len(toks):
        if toks[j].kind != "space":
            return toks[j]
        j += step
    return None


def _base_and_subscript(word: str) -> tuple[str, str | None]:
    if "_" not in word:
        return word, None
    base, sub = word.split("_", 1)
    return base, sub


def _is_math_word(toks: list[_Tok], i: int) -> bool:
    w = toks[i].text
    nxt = _next_solid(toks, i)
    if _TEXT_IDS.match(w):
        return False
    if i + 1 < len(toks) and toks[i + 1].text in ("^", "**"):
        return True  # anything raised to a power is mathematics (ww^T)
    if i > 0 and toks[i - 1].text in ("^", "**", "_"):
        return True  # an exponent: (1-mu)^a
    if w == "I" and nxt is not None and nxt.text in ("-", "+"):
        return True  # the identity matrix in I - w w^T
    if w in SPECIAL or w in GREEK or _PHASE.match(w):
        return True
    base, sub = _base_and_subscript(w)
    if w in FUNCTIONS or base in FUNCTIONS:
        applied = nxt is not None and (
            nxt.text in ("(", "||", "|") or nxt.kind in ("num",) or (nxt.kind == "word")
        )
        if sub is not None:
            return True
        return bool(applied) and (nxt is None or nxt.kind != "word" or _is_mathish_word(nxt.text))
    if sub is not None:
        return True
    if re.fullmatch(r"[A-Za-z]+\d+", w):
        letters = re.match(r"[A-Za-z]+", w).group()  # type: ignore[union-attr]
        return letters in GREEK or len(letters) == 1
    if len(w) == 1:
        # not "a", "I", nor the s of "the ODE's"
        return not (w in _ENGLISH_SINGLE or (i > 0 and toks[i - 1].text in ("'", "\u2019")))
    # a word followed directly by "(" and used as a function: F(x), H(0), G(r_max)
    return len(w) <= 2 and w[:1].isupper() and nxt is not None and nxt.text == "("


def _is_mathish_word(w: str) -> bool:
    base, sub = _base_and_subscript(w)
    return (
        w in GREEK
        or w in SPECIAL
        or sub is not None
        or bool(_PHASE.match(w))
        or (len(w) == 1 and w not in _ENGLISH_SINGLE)
        or base in GREEK
    )


def _classify(toks: list[_Tok]) -> list[str]:
    """Per token: m (mathematical), o (operator), s (space), n (number), t (text)."""
    out = []
    for i, t in enumerate(toks):
        if t.kind == "word":
            out.append("m" if _is_math_word(toks, i) else "t")
        elif t.kind == "num":
            out.append("n")
        elif t.kind == "op":
            out.append("o")
        elif t.kind == "space":
            out.append("s")
        else:
            out.append("t")
    return out


def _runs(toks: list[_Tok], cls: list[str]) -> list[tuple[int, int]]:
    """Maximal runs [a, b) of mathematical tokens, operators, numbers and spaces that hold a
    mathematical identifier or a strong operator, trimmed of spaces and unmatched brackets."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        if cls[i] in ("m", "n", "o"):
            j, depth = i, 0
            while j < n and cls[j] in ("m", "n", "o", "s"):
                t = toks[j].text
                if t == "," and depth == 0:
                    break
                if t in _OPEN:
                    depth += 1
                elif t in _CLOSE:
                    depth -= 1
                j += 1
            for a, b in _trim(toks, cls, i, j):
                if a < b and _is_formula(toks, cls, a, b):
                    runs.append((a, b))
            i = max(j, i + 1)
        else:
            i += 1
    return runs


_EDGE_OPS = ("+", "-", "*", "/", "=", ",", "^", "<", ">", "~", "_")


def _trim(toks: list[_Tok], cls: list[str], a: int, b: int) -> list[tuple[int, int]]:
    """The run [a, b) without edge spaces, edge operators that cannot start or end a formula,
    a leading bare number (``4 x printed``: the number stays text) and unmatched brackets (a
    run split at an unmatched bracket inside it gives two runs)."""
    changed = True
    while changed and a < b:
        changed = False
        while a < b and cls[a] == "s":
            a += 1
        while b > a and cls[b - 1] == "s":
            b -= 1
        if b - a > 1 and toks[b - 1].kind == "op" and toks[b - 1].text in _EDGE_OPS:
            b -= 1
            changed = True
        if a < b and toks[a].kind == "op" and toks[a].text in (",", "*", "/", "^", "_", "=", "+"):
            a += 1
            changed = True
        if b - a > 2 and toks[a].kind == "num" and toks[a + 1].kind == "space":
            a += 1
            changed = True
        stack: list[int] = []
        unmatched: list[int] = []
        for k in range(a, b):
            t = toks[k].text
            if toks[k].kind != "op":
                continue
            if t in _OPEN:
                stack.append(k)
            elif t in _CLOSE:
                if stack and toks[stack[-1]].text == _CLOSE[t]:
                    stack.pop()
                else:
                    unmatched.append(k)
        unmatched += stack
        if unmatched:
            first = min(unmatched)
            return _trim(toks, cls, a, first) + _trim(toks, cls, first + 1, b)
    return [(a, b)] if a < b else []


def _is_formula(toks: list[_Tok], cls: list[str], a: int, b: int) -> bool:
    kinds = cls[a:b]
    if "m" in kinds:
        return True
    signed = [k for k in range(a + 1, b) if toks[k].kind != "space"]
    if toks[a].text in ("-", "+") and signed and toks[signed[0]].kind == "num":
        return True  # a signed number: typeset with a minus sign, not a hyphen
    return any(toks[k].kind == "op" and toks[k].text in _STRONG for k in range(a, b))


# ------------------------------------------------------------------------------ rendering


def _word_latex(w: str, number: Callable[[str], str]) -> str:
    if w in SPECIAL:
        return SPECIAL[w]
    m = _PHASE.match(w)
    if m:
        return f"{m.group(1)}_{m.group(2)}"
    if w in GREEK:
        return GREEK[w]
    if w in FUNCTIONS:
        return FUNCTIONS[w]
    base, sub = _base_and_subscript(w)
    if sub is None:
        m2 = re.fullmatch(r"([A-Za-z]+)(\d+)", w)
        if m2 and (m2.group(1) in GREEK or len(m2.group(1)) == 1):
            return f"{_word_latex(m2.group(1), number)}_{{{m2.group(2)}}}"
        if len(w) > 1:
            return rf"\mathrm{{{w}}}"
        return w
    head = _word_latex(base, number) if base else ""
    if base in ("hat",):
        return rf"\hat{{{sub}}}"
    if (sub.startswith("{") and sub.endswith("}")) or (sub.startswith("(") and sub.endswith(")")):
        inner = sub[1:-1]
    else:
        inner = sub
    if "_" in inner and not inner.startswith(("{", "(")):
        first, rest = inner.split("_", 1)
        if rest in ("hat", "tilde"):
            accent = r"\hat" if rest == "hat" else r"\tilde"
            return rf"{accent}{{{head}}}_{{{first}}}"
    if inner in _UPRIGHT_SUBSCRIPTS or (inner.isalpha() and len(inner) > 1 and inner not in GREEK):
        sub_tex = rf"\mathrm{{{inner}}}"
    elif inner.isalnum() and not inner.isalpha():
        sub_tex = inner  # an index: lambda_1, alpha_12
    else:
        sub_tex = _math_tokens(inner, plain_number)  # subscripts are indices, not measurements
    return f"{head}_{{{sub_tex}}}"


def _group_end(toks: list[_Tok], i: int) -> int:
    """Index after the operand starting at ``i`` (a bracketed group, a word with its call, a
    signed number)."""
    n = len(toks)
    if i < n and toks[i].text in ("-", "+"):
        i += 1
    if i >= n:
        return i
    if toks[i].text in _OPEN:
        depth = 0
        for k in range(i, n):
            if toks[k].text in _OPEN:
                depth += 1
            elif toks[k].text in _CLOSE:
                depth -= 1
                if depth == 0:
                    return k + 1
        return n
    j = i + 1
    if toks[i].kind == "word" and j < n and toks[j].text == "(":
        return _group_end(toks, j)
    return j


def _render(toks: list[_Tok], number: Callable[[str], str]) -> str:
    out: list[str] = []
    i, n = 0, len(toks)
    prev_operand = False
    while i < n:
        t = toks[i]
        if t.kind == "space":
            nxt = _next_solid(toks, i)
            if (
                prev_operand
                and nxt is not None
                and nxt.text != "\u00d7"
                and (nxt.kind in ("word", "num") or nxt.text in ("(", "||"))
            ):
                out.append(r"\,")
            i += 1
            continue
        if t.kind == "op" and t.text == "*" and (i + 1 == n or toks[i + 1].kind == "space"):
            out.append("^*")  # tau*: the optimal delay
            i += 1
            continue
        if t.kind == "op" and t.text in ("^", "**"):
            end = _group_end(toks, i + 1)
            group = toks[i + 1 : end]
            if (
                len(group) >= 2
                and group[0].text in ("(", "{")
                and group[-1].text == _OPEN[group[0].text]
                and _group_end(group, 0) == len(group)
            ):
                group = group[1:-1]
            out.append("^{" + _render(group, plain_number) + "}")  # exponents: literal
            i = end
            prev_operand = True
            continue
        if t.kind == "word" and t.text == "sqrt" and i + 1 < n and toks[i + 1].text == "(":
            end = _group_end(toks, i + 1)
            out.append(r"\sqrt{" + _render(toks[i + 2 : end - 1], number) + "}")
            i = end
            prev_operand = True
            continue
        if t.kind == "word" and t.text == "E":
            nxt = _next_solid(toks, i)
            if nxt is not None and (nxt.kind == "word" or nxt.text in ("[", "||")):
                out.append(r"\mathbb{E}")
                i += 1
                prev_operand = False
                continue
        if t.kind == "word":
            tex = _word_latex(t.text, number)
            out.append(tex + (" " if tex[-1].isalpha() else ""))
            prev_operand = t.text not in FUNCTIONS  # \log t, not \log\, t
        elif t.kind == "num":
            tex = number(t.text)
            out.append(tex + ("{}" if tex.startswith("\\") else ""))  # a macro ends here
            prev_operand = True
        elif t.kind == "op":
            out.append(_OP_LATEX.get(t.text, t.text))
            prev_operand = t.text in _CLOSE or t.text == "||"
        else:
            out.append(_escape(t.text))
            prev_operand = False
        i += 1
    return "".join(out).strip()


def _math_tokens(text: str, number: Callable[[str], str]) -> str:
    return _render(_tokens(text), number)


# ------------------------------------------------------------------------- SymPy fragments


@lru_cache(maxsize=4096)
def sympy_latex(text: str) -> str | None:
    """A SymPy-printed expression (``2*C_d*eta/(1 - mu)**(9/10)``) typeset by ``sympy.latex``
    with the paper's symbol names; None when SymPy cannot parse it."""
    import sympy as sp
    from sympy.parsing.sympy_parser import parse_expr

    from theory import symbols as S

    names = {str(s): s for s in S.NAMES}
    names.update({"eps": S.eps, "E": sp.Symbol("E"), "I": sp.Symbol("I"), "S": sp.Symbol("S")})
    names.update({"N": sp.Symbol("N"), "O": sp.Function("O"), "Q": sp.Symbol("Q")})
    try:
        expr = parse_expr(text.replace("^", "**"), local_dict=names, evaluate=True)
    except Exception:  # any failure to parse: the token renderer takes over
        return None
    if not isinstance(expr, sp.Basic):
        return None
    return S.latex(expr)


def _escape(text: str) -> str:
    from reports.latex import escape_tex

    return escape_tex(text).replace("--", "-{}-")  # no en-dash ligature in options


def _text_part(toks: list[_Tok], number: Callable[[str], str]) -> str:
    out = []
    for k, t in enumerate(toks):
        if t.kind == "num":
            prev = toks[k - 1].text if k else ""
            tex = number(t.text)
            out.append(tex + ("{}" if tex.startswith("\\") and not prev.endswith("\\") else ""))
        else:
            out.append(_escape(t.text))
    return "".join(out).replace("--", "-{}-")


_REPR = re.compile(r"\bnp\.(?:float|int|uint|bool_?)\d*\(([^()]*)\)")


def tidy(text: str) -> str:
    """Artefacts of joined sentences (``.;`` and ``. ;`` become ``;``, repeated blanks one) and
    Python reprs of NumPy scalars (``np.float64(0.002)`` becomes ``0.002``)."""
    text = _REPR.sub(r"\1", text)
    text = re.sub(r"\bnp\.True_\b", "True", text)
    text = re.sub(r"\bnp\.False_\b", "False", text)
    text = re.sub(r"\.\s*;", ";", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def to_latex(text: str, number: Callable[[str], str]) -> str:
    """Typeset ``text`` (module docstring). ``number(raw)`` returns the LaTeX for a number
    written ``raw`` in the text (a macro reference)."""
    text = tidy(str(text))
    # "1.5x", "4x": a factor, typeset as a number and a times sign
    text = re.sub(r"(\d)x\b", "\\1\u00d7", text)
    text = re.sub(r"(?<=[\w)]) x (?=[\w(])", " \u00d7 ", text)
    text = re.sub(r"(?<=\s)x(?=\d)", "\u00d7", text)  # "prefactor x1/2": times 1/2
    protected: list[str] = []  # final LaTeX of the spans kept out of the tokenizer

    def protect(m: re.Match) -> str:
        protected.append(_escape(m.group()))
        return chr(_PLACEHOLDER + len(protected) - 1)

    def protect_code(m: re.Match) -> str:
        protected.append(r"\texttt{" + _escape(m.group()) + "}")
        return chr(_PLACEHOLDER + len(protected) - 1)

    text = _ABBREVIATIONS.sub(protect, text)
    text = _COMMAND.sub(protect_code, text)
    text = _PATH.sub(protect_code, text)
    text = _CODE.sub(lambda m: protect_code(m) if _is_code(m.group()) else m.group(), text)
    toks = _tokens(text)
    cls = _classify(toks)
    out, last = [], 0
    for a, b in _runs(toks, cls):
        out.append(_text_part(toks[last:a], number))
        raw = "".join(t.text for t in toks[a:b])
        tex = None
        if "*" in raw and not any(r in raw for r in ("<=", ">=", "->", "~", "=")):
            tex = sympy_latex(raw)
        if tex is None:
            tex = _render(toks[a:b], number)
        out.append(f"${tex}$")
        last = b
    out.append(_text_part(toks[last:], number))
    result = "".join(out)
    return "".join(
        protected[ord(c) - _PLACEHOLDER] if ord(c) >= _PLACEHOLDER else c for c in result
    )


def plain_number(raw: str) -> str:
    """The default ``number`` callback: the number formatted, inline (no macro)."""
    return format_significant(float(raw))


def math_of(text: str, number: Callable[[str], str] = plain_number) -> str:
    """``text`` read entirely as mathematics (a variable name, a short formula), as LaTeX for
    use inside ``$...$`` (matplotlib's mathtext understands it too)."""
    raw = str(text)
    if "*" in raw:
        tex = sympy_latex(raw)
        if tex is not None:
            return tex
    return _render(_tokens(raw), number)


_MPL_UNESCAPE = (
    (r"\_", "_"),
    (r"\%", "%"),
    (r"\&", "&"),
    (r"\#", "#"),
    (r"\$", "$"),
    (r"\{", "{"),
    (r"\}", "}"),
    (r"\textless{}", "<"),
    (r"\textgreater{}", ">"),
    (r"\textbar{}", "|"),
    (r"\textasciitilde{}", "~"),
    (r"\textasciicircum{}", "^"),
    (r"\textbackslash{}", "\\"),
    ("-{}-", "--"),
)


def mathtext(text: str, width: int = 0) -> str:
    """``text`` typeset for matplotlib (its mathtext): the same notation as the report's text,
    so a figure's labels read like the page around it; wrapped at spaces outside mathematics
    when longer than ``width`` visible characters (0: never)."""
    tex = to_latex(text, plain_number)
    tex = re.sub(r"\\texttt\{([^}]*)\}", r"\1", tex)
    parts = re.split(r"(\$[^$]*\$)", tex)
    for i in range(0, len(parts), 2):
        for old, new in _MPL_UNESCAPE:
            parts[i] = parts[i].replace(old, new)
    tex = "".join(parts)
    if width <= 0:
        return tex
    lines: list[str] = []
    line, visible = "", 0
    for atom in re.findall(r"(?:\$[^$]*\$|[^\s$])+", tex):  # words, math spans kept whole
        size = len(re.sub(r"\\[A-Za-z]+|[{}$^_]", "", atom))
        if line and visible + 1 + size > width:
            lines.append(line)
            line, visible = atom, size
        else:
            line, visible = (f"{line} {atom}", visible + 1 + size) if line else (atom, size)
    lines.append(line)
    return "\n".join(lines)
