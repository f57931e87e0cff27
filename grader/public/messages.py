"""Every sentence the self-check prints, in English and French.

`say(key, lang, **fields)` formats one of them; `detect_language` picks the student's
language from ``--lang`` or the locale variables, falling back to English.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("en", "fr")

TEXT: dict[str, dict[str, str]] = {
    # Status words, padded to one width in the report.
    "passed": {"en": "passed", "fr": "réussie"},
    "failed": {"en": "FAILED", "fr": "ÉCHOUÉE"},
    "not_started": {"en": "not started", "fr": "pas commencée"},
    "blocked": {"en": "waiting", "fr": "en attente"},
    # Report lines.
    "title": {
        "en": "Public self-check of exercises/ ({count} functions)",
        "fr": "Auto-vérification publique de exercises/ ({count} fonctions)",
    },
    "call": {"en": "call", "fr": "appel"},
    "case": {"en": "case", "fr": "cas"},
    "problem": {"en": "problem", "fr": "problème"},
    "expected": {"en": "expected", "fr": "attendu"},
    "got": {"en": "got", "fr": "obtenu"},
    "worst": {"en": "worst entries", "fr": "pires écarts"},
    "hint": {"en": "hint", "fr": "indice"},
    # A known mistake the wrong result matches (gradcheck's diagnosis, already translated).
    "looks_like": {"en": "looks like: {diagnosis}", "fr": "ressemble à : {diagnosis}"},
    "worst_entry": {
        "en": "{where}: expected {expected}, got {got}",
        "fr": "{where} : attendu {expected}, obtenu {got}",
    },
    "summary": {
        "en": "{passed} of {total} functions pass the public checks; hidden checks run at grading.",
        "fr": "{passed} fonctions sur {total} passent les vérifications publiques ; "
        "des vérifications cachées s'ajoutent à la notation.",
    },
    "summary_detail": {
        "en": "{failed} failed, {blocked} waiting for another function, {not_started} not started.",
        "fr": "{failed} échouée(s), {blocked} en attente d'une autre fonction, "
        "{not_started} pas commencée(s).",
    },
    # Why a function did not pass.
    "not_started_detail": {
        "en": "still raises NotImplementedError: write its body in {file}.",
        "fr": "lève encore NotImplementedError : écrivez son corps dans {file}.",
    },
    "blocked_detail": {
        "en": "it uses {names}, which does not pass yet: fix that first, then run again.",
        "fr": "elle utilise {names}, qui ne passe pas encore : corrigez-la d'abord, puis relancez.",
    },
    "syntax_error": {
        "en": "{file}, line {line}: SyntaxError: {detail}. Fix this line, then run again.",
        "fr": "{file}, ligne {line} : SyntaxError : {detail}. Corrigez cette ligne, puis relancez.",
    },
    "import_error": {
        "en": "{file} could not be imported: {kind}: {detail}{where}.",
        "fr": "{file} n'a pas pu être importé : {kind} : {detail}{where}.",
    },
    "at_line": {"en": " (at {file}, line {line})", "fr": " ({file}, ligne {line})"},
    "missing_module": {
        "en": "{file} is missing: the handout's exercises/ folder should contain it.",
        "fr": "{file} est introuvable : le dossier exercises/ du sujet doit le contenir.",
    },
    "missing_function": {
        "en": "{file} does not define `{function}`: keep the stub's name and signature.",
        "fr": "{file} ne définit pas `{function}` : gardez le nom et la signature du squelette.",
    },
    "raised": {
        "en": "it raised {kind}: {detail}{where}.",
        "fr": "elle a levé {kind} : {detail}{where}.",
    },
    "wrong_type": {
        "en": "it returned {got} where {expected} was expected.",
        "fr": "elle a renvoyé {got} au lieu de {expected}.",
    },
    "wrong_tuple": {
        "en": "it must return a tuple of {count} values ({names}); it returned {got}.",
        "fr": "elle doit renvoyer un tuple de {count} valeurs ({names}) ; elle a renvoyé {got}.",
    },
    "missing_key": {
        "en": "the dictionary it returned has no key {key!r} (it has: {keys}).",
        "fr": "le dictionnaire renvoyé n'a pas de clé {key!r} (il a : {keys}).",
    },
    "wrong_shape": {
        "en": "{what} has shape {got}; the expected shape is {expected}.",
        "fr": "{what} a la forme {got} ; la forme attendue est {expected}.",
    },
    "wrong_dtype": {
        "en": "{what} has dtype {got}; the expected dtype is {expected}.",
        "fr": "{what} a le type {got} ; le type attendu est {expected}.",
    },
    "not_finite": {
        "en": "{what} has {count} NaN or infinite entries out of {total}.",
        "fr": "{what} contient {count} valeurs NaN ou infinies sur {total}.",
    },
    "stability_note": {
        "en": " This input is a numerical-stability test.",
        "fr": " Cette entrée teste la stabilité numérique.",
    },
    "values_differ": {
        "en": "{what} differs from the expected values at {count} of {total} entries.",
        "fr": "{what} diffère des valeurs attendues en {count} entrées sur {total}.",
    },
    "value_differs": {
        "en": "{what} is {got}; the expected value is {expected}.",
        "fr": "{what} vaut {got} ; la valeur attendue est {expected}.",
    },
    "wrong_length": {
        "en": "{what} has {got} items; {expected} were expected.",
        "fr": "{what} a {got} éléments ; {expected} étaient attendus.",
    },
    "gradient_differs": {
        "en": "{what} does not match the finite differences of your own {forward} at "
        "{count} of {total} entries.",
        "fr": "{what} ne correspond pas aux différences finies de votre propre {forward} en "
        "{count} entrées sur {total}.",
    },
    "modified_argument": {
        "en": "it changed its argument `{name}`; build new arrays instead of writing into "
        "the inputs (use a copy, or an expression such as dA * mask).",
        "fr": "elle a modifié son argument `{name}` ; construisez de nouveaux tableaux au "
        "lieu d'écrire dans les entrées (une copie, ou une expression comme dA * masque).",
    },
    "finite_differences": {"en": "finite differences", "fr": "différences finies"},
    "array": {
        "en": "an array of shape {shape}, {dtype}",
        "fr": "un tableau de forme {shape}, {dtype}",
    },
    "the_result": {"en": "the result", "fr": "le résultat"},
}


def say(key: str, lang: str, **fields: object) -> str:
    """The sentence `key` in `lang` (English if `lang` is unknown), with `fields` filled in."""
    versions = TEXT[key]
    return versions.get(lang, versions["en"]).format(**fields)


def detect_language(requested: str | None, environ: Mapping[str, str]) -> str:
    """`requested` if given, else the first locale variable (LC_ALL, LC_MESSAGES, LANG) set.

    ``fr_FR.UTF-8`` gives ``"fr"``; an unset or unknown locale gives ``"en"``.
    """
    if requested:
        return requested if requested in LANGUAGES else "en"
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"
