"""Polishing a compiled report with the on-premises model, after the message's transaction.

/report answers at once with the compiler's draft (its preview and Word file, committed and sent as always) and a
progress line; the unit of work then runs `follow_up` after its commit (UnitOfWork.after_commit): each section's
plan goes to the model (a few at a time, within the report's time budget), every paragraph it writes is held to
the records (reporting/polish.py), and the polished Word file with a line of counts is sent to the same chat —
or, when the model is unreachable, failing or too slow, a one-line note that the draft already sent stands.
Nothing here holds the database: the plan and the records were read in the transaction.

A crash or a restart mid-polish loses only the polished copy: the cadre has the compiler's draft already, and
/report again asks the model again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from handlers import texts
from handlers.messages import Document, Reply
from reporting.model import Paragraph, ReportDraft
from reporting.polish import (
    RESPONSE_FORMAT,
    SectionPlan,
    SectionResult,
    apply,
    check_written,
    parse_answer,
    plan_report,
    request_messages,
    retry_messages,
)
from reporting.verify import Records

logger = logging.getLogger(__name__)

PARALLEL = 3  # sections asked at once (vLLM batches them; Ollama queues them, within the same budget)


class ModelError(Exception):
    """The model gave no answer: unreachable, refused, failed twice, or out of time."""


class ChatModel(Protocol):
    async def complete(self, messages: list[dict[str, str]], response_format: dict[str, Any], remaining: float) -> str:
        """The model's answer to one conversation, within `remaining` seconds; ModelError otherwise."""
        ...


Sender = Callable[[str, str, Reply], Awaitable[str]]  # (channel, chat id, reply) -> "sent" | "blocked" | "failed"


@dataclass(frozen=True, slots=True)
class Polisher:
    model: ChatModel
    kinds: frozenset[str]  # report kinds polished: mid, final, month, week
    budget: float  # seconds for one whole report
    send: Sender | None = None  # how a follow-up reaches a chat (the running channels); None: nowhere
    parallel: int = PARALLEL


_state: dict[str, Polisher | None] = {"polisher": None}


def configure(polisher: Polisher | None) -> None:
    """Polish from now on with this (None: never, the compiler's draft only, as without a model)."""
    _state["polisher"] = polisher


def active(kind: str) -> Polisher | None:
    """The polisher, if one is configured for this report kind."""
    polisher = _state["polisher"]
    return polisher if polisher is not None and kind in polisher.kinds else None


@dataclass(frozen=True, slots=True)
class PolishOutcome:
    draft: ReportDraft  # with the model's accepted paragraphs (model_written / model_replaced counted)
    planned: int  # sections sent to the model
    answered: int  # sections it answered
    timed_out: bool
    error: str | None  # the first failure, if any


async def _section(
    plan: SectionPlan, records: Records, model: ChatModel, remaining: Callable[[], float]
) -> SectionResult:
    """One section: asked, checked, its refused paragraphs asked once more, the compiler's kept where still
    refused. A ModelError on the first request leaves the section to the compiler (raised)."""
    n = len(plan.originals)
    answer = await model.complete(request_messages(plan), RESPONSE_FORMAT, remaining())
    written = parse_answer(answer)
    accepted: dict[int, Paragraph] = {}
    problems: dict[int, list[str]] | None = None
    if written is not None and len(written) == n:
        problems = {}
        for index, item in enumerate(written):
            paragraph, found = check_written(plan, index, item, records)
            if paragraph is not None:
                accepted[index] = paragraph
            else:
                problems[index] = found
    if len(accepted) < n:
        logger.info("section %s: %d of %d paragraphs refused; asking once more", plan.key, n - len(accepted), n)
        logger.debug("section %s problems: %s", plan.key, problems)
        again: list[Any] | None = None
        try:
            again = parse_answer(
                await model.complete(retry_messages(plan, answer, problems), RESPONSE_FORMAT, remaining())
            )
        except ModelError as exc:
            logger.info("section %s: the retry got no answer (%s)", plan.key, exc)
        if again is not None and len(again) == n:
            for index in range(n):
                if index not in accepted:
                    paragraph, _ = check_written(plan, index, again[index], records)
                    if paragraph is not None:
                        accepted[index] = paragraph
    paragraphs = tuple(accepted.get(i, plan.originals[i]) for i in range(n))
    return SectionResult(plan.key, paragraphs, written=len(accepted), replaced=n - len(accepted))


async def polish_draft(
    draft: ReportDraft, records: Records, model: ChatModel, budget: float, parallel: int = PARALLEL
) -> PolishOutcome:
    """The draft with the model's paragraphs where the records bear them out; within `budget` seconds, whatever
    the model does (sections not answered by then keep the compiler's text)."""
    plans = plan_report(draft)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget

    def remaining() -> float:
        return max(0.0, deadline - loop.time())

    results: list[SectionResult] = []
    errors: list[str] = []
    gate = asyncio.Semaphore(max(1, parallel))

    async def one(plan: SectionPlan) -> None:
        async with gate:
            try:
                results.append(await _section(plan, records, model, remaining))
            except ModelError as exc:
                errors.append(str(exc))
                logger.info("section %s: no answer from the model (%s)", plan.key, exc)

    timed_out = False
    try:
        async with asyncio.timeout(budget):
            await asyncio.gather(*(one(plan) for plan in plans))
    except TimeoutError:
        timed_out = True
        logger.warning(
            "polishing stopped at its budget of %.0f s: %d of %d sections done", budget, len(results), len(plans)
        )
    return PolishOutcome(apply(draft, results), len(plans), len(results), timed_out, errors[0] if errors else None)


def outcome_text(outcome: PolishOutcome) -> str | None:
    """The chat line about a polish: the counts, or None when the model wrote nothing usable (see failure_text)."""
    draft = outcome.draft
    if not draft.model_written:
        return None
    lines = [texts.POLISH_DONE.format(written=draft.model_written, replaced=draft.model_replaced)]
    if outcome.timed_out or outcome.answered < outcome.planned:
        lines.append(texts.POLISH_PARTIAL.format(n=outcome.planned - outcome.answered))
    lines.append(texts.POLISH_FOOTER)
    return "\n".join(lines)


def failure_text(outcome: PolishOutcome) -> str:
    if outcome.timed_out:
        return texts.POLISH_FAILED_TIMEOUT
    if outcome.answered:
        return texts.POLISH_FAILED_CHECK
    return texts.POLISH_FAILED


async def follow_up(
    polisher: Polisher,
    draft: ReportDraft,
    records: Records,
    target: tuple[str, str],
    render: Callable[[ReportDraft], Awaitable[Document]],
) -> PolishOutcome:
    """Polish the draft and send the result (or the note that the draft already sent stands) to `target`."""
    try:
        outcome = await polish_draft(draft, records, polisher.model, polisher.budget, polisher.parallel)
    except Exception:
        logger.exception("polishing a report failed")
        outcome = PolishOutcome(draft, 0, 0, False, "bug")
    summary = outcome_text(outcome)
    reply = Reply(failure_text(outcome))
    if summary is not None:
        try:
            reply = Reply(summary, document=await render(outcome.draft))
        except Exception:
            logger.exception("rendering the polished report failed")
    if polisher.send is None:
        logger.warning("a polished report has no channel to go to")
        return outcome
    try:
        result = await polisher.send(target[0], target[1], reply)
        if result != "sent":
            logger.warning("the polished report could not be sent (%s)", result)
    except Exception:
        logger.exception("sending the polished report failed")
    return outcome
