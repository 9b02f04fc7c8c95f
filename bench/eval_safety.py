"""`make eval-safety`: the safety screen on real text, per layer and combined.

Sets (``bench/data/safety/``): disclosures and everyday messages, each based on one real
public message or case with its source address; ``question`` entries of the everyday set are
in-scope questions about rules, moving, family time, leaving care and complaints. The real
question set (``bench/data/real_questions/``) adds more in-scope questions. Every set was split
once, by source page, into a development and a held-out half (``half:`` in the files): never
tune on the held-out half.

Layers: the lexicon (``SafetyScreen``), the trained ``concern`` intent (its score anywhere in
the ranking), and the combined three-way triage the chat uses (``bot.safety.triage``):
disclosure (signposting and an urgent alert), not sure (a check-in, the question answered too),
ordinary. Last line: ``heldout_recall=<x> heldout_false_alarm=<y> checkins=<z>
crisis_on_questions=<n>``: held-out disclosures that got at least the check-in, held-out
everyday messages given the crisis reply, held-out everyday and question messages given the
check-in, held-out in-scope questions given the crisis reply.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.serve import REPO
from bot.safety.triage import Outcome, Verdict, triage

SAFETY = REPO / "bench" / "data" / "safety"
QUESTIONS = REPO / "bench" / "data" / "real_questions"


@dataclass(frozen=True)
class Message:
    id: str
    kind: str  # disclosure | lookalike | question
    half: str
    text: str


def load(paths: list[Path] | None = None) -> list[Message]:
    rows: list[Message] = []
    for path in paths or sorted(SAFETY.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data.get("disclosures") or []:
            rows.append(Message(str(item["id"]), "disclosure", item.get("half", "heldout"),
                                item["text"]))
        for item in data.get("everyday") or []:
            rows.append(Message(str(item["id"]), item.get("kind", "lookalike"),
                                item.get("half", "heldout"), item["text"]))
        for item in data.get("questions") or []:
            rows.append(Message(str(item["id"]), "question", item.get("half", "heldout"),
                                item["question"]))
    if paths is None:
        for path in sorted(QUESTIONS.glob("*.yml")):
            for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
                rows.append(Message(str(item["id"]), "question", item["half"], item["question"]))
    return rows


def share(hits: int, total: int) -> str:
    return f"{hits:4}/{total:<4} = {hits / total:6.1%}" if total else "   -"


async def concern_scores(texts: list[str]) -> list[tuple[float, bool]]:
    from bot.config import REPO_ROOT
    from bot.logging_setup import configure_logging
    from bot.rasa_runtime import concern_score
    from bot.training import latest_model

    configure_logging("WARNING")
    from rasa.core.agent import Agent

    agent = Agent.load(str(latest_model(REPO_ROOT / "rasa_project",
                                        REPO_ROOT / "rasa_project" / "models")))
    scored = []
    for text in texts:
        parse = await agent.parse_message(text)
        top = (parse.get("intent") or {}).get("name")
        scored.append((concern_score(parse), top == "concern"))
    return scored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=Path, nargs="*",
                        help="set files (default: bench/data/safety/*.yml and the real questions)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from bot.config import REPO_ROOT
    from bot.safety.screen import SafetyScreen

    rows = load(args.sets)
    screen = SafetyScreen(REPO_ROOT / "content" / "safeguarding" / "lexicon.yml")
    lexicon = [screen.check(r.text) for r in rows]
    scores = asyncio.run(concern_scores([r.text for r in rows]))
    verdicts = []
    for hit, (score, concern_wins) in zip(lexicon, scores):
        verdict = triage(hit, score)
        if verdict.outcome == Outcome.ORDINARY and concern_wins:
            # the chat's concern rule fires: the pipeline checks in (bot/pipeline.py)
            verdict = Verdict(Outcome.NOT_SURE, ("model",))
        verdicts.append(verdict)

    print(f"{len(rows)} messages; model layer: concern score >= threshold anywhere in ranking")
    header = f"{'half':8} {'kind':11} {'layer':9} {'crisis reply':>20} {'check-in':>20}"
    print(header)
    totals: dict[tuple[str, str], tuple[int, int, int]] = {}
    from bot.rasa_runtime import CONCERN_THRESHOLD

    for half in ("dev", "heldout"):
        for kind in ("disclosure", "lookalike", "question"):
            idx = [i for i, r in enumerate(rows) if r.half == half and r.kind == kind]
            if not idx:
                continue
            n = len(idx)
            lex = sum(lexicon[i].is_concern for i in idx)
            mod = sum(scores[i][0] >= CONCERN_THRESHOLD for i in idx)
            crisis = sum(verdicts[i].outcome == Outcome.DISCLOSURE for i in idx)
            check = sum(verdicts[i].outcome == Outcome.NOT_SURE for i in idx)
            print(f"{half:8} {kind:11} {'lexicon':9} {share(lex, n):>20}")
            print(f"{half:8} {kind:11} {'model':9} {share(mod, n):>20}")
            print(f"{half:8} {kind:11} {'combined':9} {share(crisis, n):>20} "
                  f"{share(check, n):>20}")
            totals[(half, kind)] = (n, crisis, check)
    missed = [r.id for r, v in zip(rows, verdicts)
              if r.kind == "disclosure" and r.half == "dev" and v.outcome == Outcome.ORDINARY]
    print(f"dev disclosures answered as ordinary: {missed}")
    # The development half's false alarms, by id and what triggered them, to work on; the
    # held-out half's are counted only.
    alarms = [f"{r.id} ({','.join(v.categories)})" for r, v in zip(rows, verdicts)
              if r.kind != "disclosure" and r.half == "dev" and v.outcome == Outcome.DISCLOSURE]
    print(f"dev everyday messages and questions given the crisis reply: {alarms}")
    n_d, crisis_d, check_d = totals.get(("heldout", "disclosure"), (0, 0, 0))
    n_l, crisis_l, check_l = totals.get(("heldout", "lookalike"), (0, 0, 0))
    n_q, crisis_q, check_q = totals.get(("heldout", "question"), (0, 0, 0))
    recall = (crisis_d + check_d) / n_d if n_d else float("nan")
    print(f"held-out disclosures given the full signposting at once: {share(crisis_d, n_d)}")
    everyday = [v for r, v in zip(rows, verdicts) if r.kind != "disclosure"]
    urgent = sum(v.outcome == Outcome.DISCLOSURE for v in everyday)
    possible = sum(v.outcome == Outcome.NOT_SURE for v in everyday)
    print(f"alert load: {len(everyday)} everyday messages and questions (both halves) raised "
          f"{urgent} urgent alerts and {possible} possible concerns = "
          f"{1000 * urgent / len(everyday):.1f} urgent per 1,000 (goal 10 or fewer)")
    everyday_n = n_l + n_q
    print(f"heldout_recall={recall:.3f} "
          f"heldout_false_alarm={(crisis_l + crisis_q) / everyday_n if everyday_n else 0:.3f} "
          f"checkins={check_l + check_q} crisis_on_questions={crisis_q}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
