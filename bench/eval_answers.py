"""`make eval-answers`: does carebot's first reply hold what a good answer to a REAL question
needs?

Every question of the real-question set (``bench/data/real_questions/*.yml``: questions from
public pages, re-worded but keeping their length, story, spelling and slang, each with its
source address and the facts a good answer must contain as any-of word groups) is sent to a
real ``carebot serve`` over ``POST /webhooks/rest/webhook``, one fresh conversation each. A
reply passes when, for every word group, it contains at least one of the group's phrases
(case-insensitive). A crisis reply (the fixed safeguarding signposting) to any of these
ordinary questions is counted on its own.

The set was split once, by source page (no page in both halves; pages dealt in hash order to
whichever half had fewer questions of the page's audience), into a development half and a
held-out half, written into the data files as ``half:``: never tune on the held-out half.
This run prints only counts for it; failures are listed for the development half alone.
``--questions FILE`` scores another set the same way; a set gathered to score only
(``bench/data/outside/``, ``half: outside``) is counted apart and never tuned on. Last line:
``heldout_pass=<x> dev_pass=<y> [outside_pass=<z>] crisis_replies=<n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import aiohttp
import yaml

from bench.serve import REPO, demo_env, rest_headers, running_carebot

DATA = REPO / "bench" / "data" / "real_questions"
RESULTS = REPO / "bench" / "results"
CONCURRENCY = 4
CRISIS_MARKER = "Thank you for telling me"  # first words of both signposting texts


@dataclass(frozen=True)
class Question:
    id: str
    audience: str
    source: str
    text: str
    must_contain: tuple[tuple[str, ...], ...]
    half: str  # "dev", "heldout" or "outside" (score-only, bench/data/outside/), fixed once



def load_questions(paths: list[Path]) -> list[Question]:
    found = []
    for path in paths:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            found.append(Question(
                id=str(item["id"]), audience=item["audience"], source=item["source"],
                text=item["question"],
                must_contain=tuple(tuple(str(p) for p in g) for g in item["must_contain"]),
                half=item.get("half", "heldout"),  # a set kept outside the project: held out
            ))
    return found


def passes(reply: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    lowered = reply.lower()
    return all(any(p.lower() in lowered for p in group) for group in groups)


async def ask(client: aiohttp.ClientSession, text: str) -> str:
    sender = f"eval-{uuid.uuid4().hex}"
    async with client.post("/webhooks/rest/webhook",
                           json={"sender": sender, "message": text}) as response:
        response.raise_for_status()
        return "\n".join(m.get("text") or "" for m in await response.json())


async def first_replies(
    base: str, questions: list[Question], headers: dict[str, str]
) -> dict[str, str]:
    replies: dict[str, str] = {}
    queue: asyncio.Queue[Question] = asyncio.Queue()
    for q in questions:
        queue.put_nowait(q)
    async with aiohttp.ClientSession(base, timeout=aiohttp.ClientTimeout(total=60),
                                     headers=headers) as client:
        async def worker() -> None:
            while not queue.empty():
                q = queue.get_nowait()
                replies[q.id] = await ask(client, q.text)
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return replies


def score(questions: list[Question], replies: dict[str, str]) -> dict:
    by: dict[tuple[str, str], list[bool]] = defaultdict(list)
    crisis = []
    for q in questions:
        ok = passes(replies[q.id], q.must_contain)
        by[(q.half, q.audience)].append(ok)
        by[(q.half, "all")].append(ok)
        if CRISIS_MARKER in replies[q.id]:
            crisis.append(q)
    return {"by": by, "crisis": crisis}


def rate(results: list[bool]) -> float:
    return sum(results) / len(results) if results else float("nan")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, nargs="*",
                        help="question files (default: bench/data/real_questions/*.yml)")
    args = parser.parse_args()
    paths = args.questions or sorted(DATA.glob("*.yml"))
    questions = load_questions(paths)
    with tempfile.TemporaryDirectory(prefix="carebot-eval-") as tmp:
        env = demo_env(Path(tmp) / "data")
        async with running_carebot(env, Path(tmp) / "serve.log") as base:
            started = time.perf_counter()
            replies = await first_replies(base, questions, rest_headers(env))
            seconds = time.perf_counter() - started
    result = score(questions, replies)
    by, crisis = result["by"], result["crisis"]
    print(f"{len(questions)} real questions from {len(paths)} file(s), one fresh conversation "
          f"each, answered in {seconds:.0f} s")
    for half in ("dev", "heldout", "outside"):
        for audience in ("child", "care_leaver", "parent", "carer", "all"):
            got = by.get((half, audience), [])
            if got:
                print(f"  {half:8} {audience:12} {sum(got):4}/{len(got):<4} = {rate(got):.1%}")
    print(f"  crisis replies to ordinary questions: {len(crisis)}")
    for q in crisis:
        print(f"    {q.id} ({q.half})")
    dev_failures = [
        {"id": q.id, "audience": q.audience, "question": q.text,
         "must_contain": q.must_contain, "reply": replies[q.id]}
        for q in questions if q.half == "dev" and not passes(replies[q.id], q.must_contain)
    ]
    if any(q.half == "dev" for q in questions):  # a set kept outside has no development half
        RESULTS.mkdir(parents=True, exist_ok=True)
        named = "real_questions" if not args.questions else "+".join(p.stem for p in paths)
        out = RESULTS / f"answers-{date.today().isoformat()}-{named}-dev-failures.json"
        out.write_text(json.dumps(dev_failures, indent=2, ensure_ascii=False) + "\n")
        print(f"  development-half failures: {out.relative_to(REPO)}")
    heldout, dev = by.get(("heldout", "all"), []), by.get(("dev", "all"), [])
    outside = by.get(("outside", "all"), [])
    scored_outside = f" outside_pass={rate(outside):.3f}" if outside else ""
    print(f"heldout_pass={rate(heldout):.3f} dev_pass={rate(dev):.3f}{scored_outside} "
          f"crisis_replies={len(crisis)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
