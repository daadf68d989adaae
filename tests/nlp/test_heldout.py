"""The separately written held-out sets (nlp/corpus/heldout/): valid, never trained on, not near-duplicates
of corpus lines; and the corpus itself free of near-duplicates (a line copied with a word or two changed leaks
between the training data and what measures it)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from nlp import corpus
from nlp.corpus import CORPUS_DIR, load_corpus, normalise
from nlp.training import HELDOUT_DIR, read_heldout

HELDOUT_FILES = sorted(HELDOUT_DIR.glob("*.jsonl"))
NEAR = 0.6  # Jaccard similarity of word 3-gram sets at or above which two lines are near-duplicates


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = normalise(text).split()
    if len(words) < n:
        return {tuple(words)}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicates(lines: list[str], against: list[str], threshold: float = NEAR) -> list[tuple[str, str, float]]:
    """(line, corpus line, similarity) for each line of `lines` with a near-duplicate in `against`."""
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    against_sets = [shingles(t) for t in against]
    for j, grams in enumerate(against_sets):
        for gram in grams:
            index[gram].append(j)
    found = []
    for text in lines:
        grams = shingles(text)
        candidates = {j for gram in grams for j in index.get(gram, ())}
        for j in candidates:
            other = against_sets[j]
            similarity = len(grams & other) / len(grams | other)
            if similarity >= threshold and normalise(text) != normalise(against[j]):
                found.append((text, against[j], round(similarity, 2)))
    return found


def test_near_duplicate_check_finds_a_one_word_change() -> None:
    base = "a man on a bicycle grabbed my chest near the market and rode away laughing"
    assert near_duplicates([base.replace("market", "temple")], [base])
    assert not near_duplicates(["the street lights near the school are broken again"], [base])


@pytest.mark.parametrize("path", HELDOUT_FILES, ids=[p.name for p in HELDOUT_FILES])
def test_heldout_lines_are_valid_and_flag_past_events(path: Path) -> None:
    rows = read_heldout(path)
    assert len(rows) >= 100
    assert {e.lang for e, _ in rows} == set(corpus.LANGUAGES)
    assert sum(e.urgency == "emergency" for e, _ in rows) >= 20  # emergency recall is measured, not only false alarms
    assert all(not past for e, past in rows if e.urgency == "emergency")


@pytest.mark.parametrize("path", HELDOUT_FILES, ids=[p.name for p in HELDOUT_FILES])
def test_heldout_is_never_in_the_training_data(path: Path) -> None:
    training = [e.text for e in load_corpus()]
    keys = {normalise(t) for t in training}
    texts = [e.text for e, _ in read_heldout(path)]
    assert not [t for t in texts if normalise(t) in keys]
    assert not near_duplicates(texts, training), "held-out lines too close to corpus lines"
    # the corpus reader and the model's inputs (Makefile) only see nlp/corpus/<lang>.jsonl
    assert all(p.parent == CORPUS_DIR for p in corpus.corpus_files())
    assert "heldout" not in Path("Makefile").read_text(encoding="utf-8").split("MODEL_INPUTS :=")[1].split("\n\n")[0]


def test_the_corpus_has_no_near_duplicates() -> None:
    """No two corpus lines are near-duplicates (GUIDELINES.md: never copy a line with a one-word change)."""
    texts = [e.text for e in corpus.deduplicate(load_corpus())]
    assert not near_duplicates(texts, texts)[:5]
