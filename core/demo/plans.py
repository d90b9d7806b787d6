"""The demo's calendar-thematic plans (КТП) and homework texts."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from typing import Any


def _plan_topics(
    entry: dict[str, Any] | None,
    grade: int,
    hours: int,
    markers: dict[str, list[str]],
    rng: random.Random,
) -> list[tuple[str, str]]:
    """The numbered КТП of one course: (topic, work kind) per lesson of the year."""

    def kind(topic: str) -> str:
        for k, prefixes in markers.items():
            if topic.startswith(tuple(prefixes)):
                return k
        return ""

    if entry is None:
        return [(f"Урок {i}", "") for i in range(1, hours + 1)]
    stems: list[str] = list(entry["topics"])
    band = entry["grades"]
    if grade in band and len(band) > 1:  # a grade takes its part of a band's stems
        n, k = len(stems), len(band)
        width = min(n, max(math.ceil(n / k), round(hours / 4.5)))
        first = min(round(band.index(grade) * n / k), n - width)
        stems = stems[first : first + width]
    intro = list(entry.get("intro", []))
    final = list(entry.get("final", [])) if grade > 1 else []
    control = entry.get("control") if grade > 1 else None
    analysis = entry.get("analysis")
    n_controls = max(2, round(hours / 16)) if control else 0
    per_control = 1 + (1 if analysis else 0)
    fixed = len(intro) + len(final) + n_controls * per_control
    while stems and fixed + len(stems) > hours:
        stems.pop()
    n_controls = min(n_controls, len(stems))
    fixed = len(intro) + len(final) + n_controls * per_control
    plain = [s for s in stems if not kind(s)]
    spare = hours - fixed - len(stems)
    extra: dict[str, int] = defaultdict(int)
    if plain:  # the spare hours go to the plain stems, some take longer than others
        weights = [rng.uniform(0.6, 1.4) for _ in plain]
        for stem in rng.choices(plain, weights, k=spare):
            extra[stem] += 1
    after = {round((j + 1) * len(stems) / (n_controls + 1)) - 1 for j in range(n_controls)}
    items: list[str] = list(intro)
    suffixes = (". Закрепление", ". Практикум", ". Повторение")
    theme = stems[0] if stems else ""
    for i, stem in enumerate(stems):
        more = extra.get(stem, 0)
        items.append(stem)
        if not kind(stem):
            theme = stem
        for j in range(more):
            last = j == more - 1 and more >= 2
            items.append(stem + (". Обобщение" if last else suffixes[j % len(suffixes)]))
        if i in after and control:
            items.append(control.format(topic=theme))
            if analysis:
                items.append(analysis)
    items += final
    if len(items) < hours:
        items += [
            f"Повторение и обобщение изученного ({i})" for i in range(1, hours - len(items) + 1)
        ]
    return [(t, kind(t)) for t in items[:hours]]


# --- homework -------------------------------------------------------------------------


def _homework(subject: dict[str, Any], grade: int, index: int, rng: random.Random) -> str:
    if "homework_none" in subject:
        return subject["homework_none"]
    key = "homework_primary" if grade <= 4 else "homework"
    templates = subject.get(key) or subject.get("homework") or subject.get("homework_primary")
    if not templates:
        return "не задано"
    p = 1 + index // 2
    n = 3 + index * 4 + rng.randint(0, 3)
    page = 4 + index * 2 + rng.randint(0, 1)
    q = rng.randint(1, 8)
    return rng.choice(templates).format(
        p=p,
        p2=p + 1,
        n=n,
        m=n + rng.randint(1, 4),
        k=n + rng.randint(5, 8),
        page=page,
        page2=page + rng.randint(2, 5),
        q=q,
        q2=q + rng.randint(1, 3),
    )
