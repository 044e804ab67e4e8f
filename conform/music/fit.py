"""Fit a cue to a length the way a music editor would: whole bars out or in, on the beat.

The planner analyses the mix once (`features`, `beats`), then, for each stretch of the cue
between hits that must land on picture (`hits`; one stretch without hits), finds the edit
that changes its length by exactly the amount needed:

- in pulsed music, a jump from a beat to a beat a whole number of bars away (beats when the
  bar lines are unsure), the far side moved onto the lag where the attacks on both sides
  line up (`rhythm.align`), so the cut is a whole number of beats at the local tempo; the
  remainder is absorbed deliberately, by trimming the tail with a fade (not with
  ``--keep-end``), or by shifting the join off the beat, reported in ms;
- in music without a steady pulse, a jump between any two points the exact distance apart,
  preferring held, low-onset passages;
- every candidate is scored by `joins.Scorer` (seam, context, loudness, rhythm), and the
  stretches are chosen independently, which is the exact dynamic programme when hits fix
  the boundaries between them.

Crossfades follow the material: in rhythmic music they end on the incoming attack and are
at most a quarter beat long; in legato or pad material 300 ms; the curve is linear where
the two sides correlate, equal power where they do not. No join comes within 2 s or one
bar of either end. Every length is an exact sample count (checked, not assumed) and the
same edit applies to every stem of a cue, so stems still sum to the mix.

No time-stretch: pedalboard (Rubber Band) is GPL-3, which does not fit an Apache-2.0
distribution, and no permissive pip package stretches at this quality.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace

import numpy as np

from conform.music.beats import Beats, track_beats
from conform.music.errors import FitError
from conform.music.features import Features, features, to_mono
from conform.music.hits import Hit, segments
from conform.music.joins import Candidate, Scorer
from conform.music.rhythm import VERIFIED, Onsets, align, fine_onsets
from temp_library.audio.fades import choose_curve, crossfade, gains

__all__ = [
    "FitError",
    "Analysis",
    "Join",
    "FitPlan",
    "Hit",
    "analyse",
    "plan_fit",
    "plan_fits",
    "apply_plan",
    "mix_stems",
    "MODES",
    "AUTO_LIMIT",
]

MODES = ("auto", "trim", "cut", "extend")
AUTO_LIMIT = 2.5  # join cost above which `auto` trims the tail instead of cutting
_ON_BEAT_MS = 25.0
_DISTINCT_BARS = 0.75  # alternatives differ by at least this much in position
_COPY_BLOCK = 1 << 18


@dataclass(frozen=True)
class Analysis:
    """What the edit-point search needs: the frame features and the beats of the mix."""

    feats: Features
    grid: Beats
    silent: bool
    onsets: Onsets

    @property
    def sample_rate(self) -> int:
        return self.feats.sample_rate

    @property
    def beats(self) -> np.ndarray:
        return self.grid.beats

    @property
    def period(self) -> float:
        return self.grid.period

    @property
    def tempo(self) -> float:
        return self.grid.tempo if self.grid.pulsed else 0.0


@dataclass(frozen=True)
class Join:
    """A jump in the audio: play up to ``at``, continue from ``to`` (to > at cuts out)."""

    at: int
    to: int
    crossfade: int
    curve: str
    similarity: float  # 1 / (1 + cost): 1 is a seamless join
    beat_aligned: bool
    cost: float = 0.0
    seam: float = 0.0  # change across the join / the music's median moment-to-moment change
    rhythm_ms: float = 0.0  # error of the beat spacing across the join
    beats: int = 0  # beats removed (negative: repeated)
    loudness_step: float = 0.0  # LU over 400 ms, after minus before
    material: str = "rhythmic"


@dataclass(frozen=True)
class FitPlan:
    """How a cue of ``source_length`` samples becomes ``target`` samples long."""

    mode: str
    source_length: int
    target: int
    sample_rate: int
    joins: tuple[Join, ...] = ()
    trim_from: str = ""  # "tail" or "head" when samples are trimmed
    fade: int = 0
    tempo: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    trim: int = 0  # samples trimmed from ``trim_from``
    cost: float = 0.0
    hits: tuple[Hit, ...] = ()

    def place(self, sample: int) -> int | None:
        """Where a sample of the source plays in the result (None if it was edited out)."""
        if self.trim_from == "head":
            sample -= self.trim
        shift = 0  # a repeated section's samples: the first time they play
        for join in sorted(self.joins, key=lambda j: j.at):
            if sample < join.at:
                break
            if join.to > join.at and sample < join.to:
                return None
            shift += join.to - join.at
        result = sample - shift
        return result if 0 <= result < self.target else None

    def describe(self) -> list[str]:
        """What was done, where, by how much, how it scores and whether it is on the beat."""
        sr = self.sample_rate
        lines = [
            f"{self.mode}: {self.source_length / sr:.3f} s -> {self.target / sr:.3f} s "
            f"({self.source_length} -> {self.target} samples)"
            + (f", tempo {self.tempo:.1f} BPM" if self.tempo else ", no steady pulse")
        ]
        for join in self.joins:
            what = "cut out" if join.to > join.at else "repeated"
            first, last = min(join.at, join.to) / sr, max(join.at, join.to) / sr
            count = abs(join.beats)
            beats = f" ({count} beat{'s' if count != 1 else ''})" if count else ""
            rhythm = (
                f"on the beat (rhythm {join.rhythm_ms:+.0f} ms)"
                if join.beat_aligned
                else (
                    f"off the beat by {join.rhythm_ms:+.0f} ms" if self.tempo else "no beat to keep"
                )
            )
            lines.append(
                f"{what} {abs(join.to - join.at) / sr:.3f} s{beats} between {first:.3f} s and "
                f"{last:.3f} s; {join.curve} crossfade {join.crossfade / sr * 1000:.0f} ms "
                f"({join.material}); seam {join.seam:.2f}, score {join.cost:.2f}; "
                f"loudness step {join.loudness_step:+.1f} LU; {rhythm}"
            )
        if self.trim_from:
            lines.append(
                f"trimmed {self.trim / sr:.3f} s from the {self.trim_from} with a "
                f"{self.fade / sr:.3f} s fade"
            )
        for hit in self.hits:
            lines.append(
                f"hit {hit.name}: {hit.source / sr:.3f} s plays at {hit.target / sr:.3f} s"
            )
        lines.extend(self.notes)
        return lines


def analyse(mix: np.ndarray, sample_rate: int) -> Analysis:
    """Frame features and beats of a (frames x ch) or mono signal."""
    mono = to_mono(mix)
    feats = features(mono, sample_rate)
    silent = float(np.max(np.abs(mono))) < 1e-5 if len(mono) else True
    grid = track_beats(feats, mono)
    return Analysis(feats, grid, silent, fine_onsets(mono, sample_rate))


@dataclass(frozen=True)
class _Edit:
    """One stretch's edit: an optional join and a tail trim, with its cost."""

    cost: float
    join: Join | None
    trim: int = 0


def _xfade(grid: Beats, sample_rate: int, override: int | None) -> tuple[int, str]:
    if override is not None:
        return override, "rhythmic" if grid.pulsed else "legato"
    if grid.pulsed:
        return int(np.clip(grid.period / 8, 0.010 * sample_rate, 0.25 * grid.period)), "rhythmic"
    return int(0.3 * sample_rate), "legato"


def _join(
    cand: Candidate, xfade: int, material: str, curve: str, mix: np.ndarray, grid: Beats
) -> Join:
    sr = grid.sample_rate
    on = grid.pulsed and all(
        abs(grid.nearest(p)[1]) <= _ON_BEAT_MS * sr / 1000 for p in (cand.at, cand.to)
    )
    rhythm_ms = cand.rhythm_error / sr * 1000
    aligned = bool(on and abs(rhythm_ms) <= _ON_BEAT_MS)
    if curve == "auto":
        x = min(xfade, cand.at, cand.to)
        curve = choose_curve(mix[cand.at - x : cand.at], mix[cand.to - x : cand.to])
    beats = int(round((cand.to - cand.at) / grid.period)) if grid.pulsed and grid.period else 0
    return Join(
        cand.at, cand.to, xfade, curve, 1.0 / (1.0 + max(cand.cost, 0.0)), aligned,
        cand.cost, cand.seam, rhythm_ms, beats, cand.loudness_step, material,
    )  # fmt: skip


def _segment_edits(
    an: Analysis,
    scorer: Scorer,
    mix: np.ndarray,
    span: tuple[int, int],
    change: int,
    tail_ok: bool,
    options: dict,
) -> list[_Edit]:
    """The best distinct edits that shorten ``[lo, hi)`` by ``change`` samples (< 0: lengthen)."""
    if change == 0:
        return [_Edit(0.0, None)]
    lo, hi = span
    grid, sr, n = an.grid, an.sample_rate, an.feats.length
    xfade, material = _xfade(grid, sr, options["crossfade"])
    bar = scorer.bar
    end_margin = int(min(max(2.0 * sr, bar), n / 5))
    hit_margin = int(max(0.25 * sr, grid.period if grid.pulsed else 0.5 * sr))
    first = lo + (end_margin if lo == 0 else hit_margin) + xfade
    last = hi - (end_margin if hi == n else hit_margin)
    pairs: list[tuple[int, int, float, int, bool]] = []  # at, to, extra cost, trim, verified
    beats = grid.beats
    if grid.pulsed and len(beats) > 2:
        unit = grid.beats_per_bar if grid.bars_sure else 1
        period = grid.period
        f = an.feats
        strength = f.onset[np.clip((beats - f.window + f.hop) // f.hop, 0, f.frames - 1)]
        clear = np.minimum(strength / (float(np.median(strength)) + 1e-9), 2.0)
        reach = int(min(0.2 * period, 0.12 * sr))  # the attack snap's jitter, and more
        width = int(np.clip(period, 0.4 * sr, 1.5 * sr))
        for i in range(len(beats)):
            b = int(beats[i])
            j0 = int(np.searchsorted(beats, b + change))  # where `to` lands with no remainder
            for j in range(j0 - unit - 1, j0 + unit + 1):
                if not 0 <= j < len(beats) or j == i or (j - i) % unit:
                    continue
                delta = int(beats[j]) - b
                if delta == 0 or (delta > 0) != (change > 0):
                    continue
                r = change - delta
                bonus = -0.1 if grid.bars_sure and grid.is_downbeat(i) else 0.0
                bonus -= 0.1 * float(clear[j])  # land on a clear attack: a surer beat
                if tail_ok and -reach <= r <= bar:
                    # The far side on the lag where the attacks of both sides coincide; a weak
                    # match costs more, as the spacing then rests on the tracked grid alone.
                    to, corr = align(an.onsets, b, int(beats[j]), reach, width)
                    if corr <= 0:
                        to = int(beats[j])
                    rest = change - (to - b)
                    if 0 <= rest <= bar + reach and (to > b) == (change > 0):
                        extra = bonus + 0.1 * rest / period + 0.6 * (1.0 - max(corr, 0.0))
                        pairs.append((b, to, extra, rest, corr >= VERIFIED or to == beats[j]))
                if abs(r) <= period:
                    pairs.append((int(beats[j]) - change, int(beats[j]), bonus, 0, False))
    step = max(an.feats.hop * 4, sr // 50)
    starts = np.arange(first, last, step)
    quiet = an.feats.onset
    scale = float(np.mean(quiet)) + 1e-9
    f = an.feats
    frames_at = np.clip(np.rint((starts - f.window // 2) / f.hop).astype(int), 0, f.frames - 1)
    frames_to = np.clip(
        np.rint((starts + change - f.window // 2) / f.hop).astype(int), 0, f.frames - 1
    )
    held = np.minimum((quiet[frames_at] + quiet[frames_to]) / (2 * scale), 3.0)
    base = 0.3 if grid.pulsed else 0.1  # in pulsed music, off-grid joins are the last resort
    for at, extra in zip(starts.tolist(), (base + 0.2 * held).tolist(), strict=True):
        pairs.append((at, at + change, extra, 0, False))
    keep = options["keep"]
    fade = options["fade"]
    valid = [
        p
        for p in pairs
        if min(p[0], p[1]) - xfade >= lo + (end_margin if lo == 0 else hit_margin)
        and max(p[0], p[1]) <= last - (p[3] + fade if p[3] else 0)  # clear of the tail fade
        and not any(p[0] - xfade <= k < p[1] for k in keep)
    ]
    if not valid:
        return _trim_only(change, tail_ok, bar, sr)
    scored = scorer.score(
        np.array([p[0] for p in valid]),
        np.array([p[1] for p in valid]),
        np.array([p[4] for p in valid], dtype=bool),
    )
    ranked = sorted(
        ((c.cost + p[2], c, p[3]) for c, p in zip(scored, valid, strict=True)),
        key=lambda t: (t[0], t[1].at, t[1].to),
    )
    chosen: list[_Edit] = []
    distinct = max(_DISTINCT_BARS * bar, 0.5 * sr)
    for total, cand, trim in ranked:
        if not np.isfinite(total):
            break
        if any(abs(cand.at - e.join.at) < distinct for e in chosen if e.join is not None):
            continue
        join = _join(cand, xfade, material, options["curve"], mix, grid)
        chosen.append(_Edit(total, replace(join, cost=total, similarity=1 / (1 + total)), trim))
        if len(chosen) >= options["alternatives"]:
            break
    return chosen or _trim_only(change, tail_ok, bar, sr)


def _trim_only(change: int, tail_ok: bool, bar: float, sr: int) -> list[_Edit]:
    """No join possible: a tail trim when shortening the last stretch, else nothing."""
    if tail_ok and change > 0:
        return [_Edit(AUTO_LIMIT + change / sr, None, change)]
    return []


def plan_fits(
    mix: np.ndarray,
    sample_rate: int,
    target: int,
    mode: str = "auto",
    *,
    keep_end: bool = False,
    crossfade_samples: int | None = None,
    curve: str = "auto",
    trim_fade: int | None = None,
    keep: tuple[int, ...] = (),
    hits: tuple[Hit, ...] = (),
    alternatives: int = 1,
) -> list[FitPlan]:
    """The ``alternatives`` best distinct edits that make ``mix`` exactly ``target`` long.

    ``keep`` lists samples (sync points) that a cut must not remove; ``hits`` are source
    samples that must play at given samples of the result.
    """
    if mode not in MODES:
        raise FitError(f"unknown mode {mode!r}", hint=f"use one of {', '.join(MODES)}")
    n = mix.shape[0]
    if target <= 0:
        raise FitError("the target length must be positive")
    if alternatives < 1:
        raise FitError("--alternatives must be at least 1")
    fade = trim_fade if trim_fade is not None else 2 * sample_rate
    if n < sample_rate // 10 or n < 4 * (crossfade_samples or 0):
        raise FitError(f"the cue is only {n} samples long: too short to fit")
    if target == n and not hits:
        return [FitPlan("none", n, target, sample_rate, notes=("already the right length",))]
    if mode == "trim":
        if hits:
            raise FitError("hits need a cut or an extend", hint="use --mode auto")
        if target > n:
            raise FitError("trim only shortens", hint="use --mode extend to lengthen")
        return [
            FitPlan(
                "trim", n, target, sample_rate, trim_from="head" if keep_end else "tail",
                fade=min(fade, target // 2), trim=n - target,
            )
        ]  # fmt: skip
    if mode == "cut" and target > n:
        raise FitError("cut only shortens", hint="use --mode extend to lengthen")
    if mode == "extend" and target < n:
        raise FitError("extend only lengthens", hint="use --mode cut or trim to shorten")
    reach = n - 4 * sample_rate
    if not hits and target - n >= reach:
        raise FitError(
            f"extend can add at most {max(reach, 0) / sample_rate:.3f} s to this cue (one repeat, "
            f"2 s from either end), not {(target - n) / sample_rate:.3f} s",
        )
    analysis = analyse(mix, sample_rate)
    if analysis.silent:
        raise FitError("the cue is silent: there is nothing to find edit points in")
    scorer = Scorer(analysis.feats, analysis.grid)
    options = {
        "crossfade": crossfade_samples,
        "curve": curve,
        "keep": tuple(keep),
        "alternatives": alternatives,
        "fade": fade,
    }
    spans = segments(tuple(hits), n, target)
    per_segment = []
    for k, (slo, shi, tlo, thi) in enumerate(spans):
        change = (shi - slo) - (thi - tlo)
        tail_ok = k == len(spans) - 1 and not keep_end
        edits = _segment_edits(analysis, scorer, mix, (slo, shi), change, tail_ok, options)
        if not edits:
            where = "the cue" if len(spans) == 1 else _stretch_name(spans, k, hits)
            verb = "cut" if change > 0 else "repeat"
            raise FitError(
                f"no place to {verb} {abs(change) / sample_rate:.3f} s in {where}",
                hint="try a different length, --mode trim, or fewer hits",
            )
        per_segment.append(edits)
    plans = []
    for combo in _best_combinations(per_segment, alternatives):
        plans.append(_plan_from(combo, analysis, n, target, fade, hits, mode, keep_end))
    return plans


def _stretch_name(spans: list, k: int, hits: tuple[Hit, ...]) -> str:
    names = [h.name for h in sorted(hits, key=lambda h: h.source)]
    before = names[k - 1] if k > 0 else "the start"
    after = names[k] if k < len(names) else "the end"
    return f"the stretch between {before} and {after}"


def _best_combinations(per_segment: list[list[_Edit]], count: int) -> list[tuple[_Edit, ...]]:
    """The ``count`` cheapest choices of one edit per stretch (k-best over a product)."""
    start = tuple(0 for _ in per_segment)
    heap = [(sum(s[0].cost for s in per_segment), start)]
    seen = {start}
    result = []
    while heap and len(result) < count:
        cost, index = heapq.heappop(heap)
        result.append(tuple(s[i] for s, i in zip(per_segment, index, strict=True)))
        for k in range(len(index)):
            nxt = index[:k] + (index[k] + 1,) + index[k + 1 :]
            if nxt[k] < len(per_segment[k]) and nxt not in seen:
                seen.add(nxt)
                delta = per_segment[k][nxt[k]].cost - per_segment[k][index[k]].cost
                heapq.heappush(heap, (cost + delta, nxt))
    return result


def _plan_from(
    combo: tuple[_Edit, ...],
    an: Analysis,
    n: int,
    target: int,
    fade: int,
    hits: tuple[Hit, ...],
    mode: str,
    keep_end: bool,
) -> FitPlan:
    sr = an.sample_rate
    joins = tuple(e.join for e in combo if e.join is not None)
    trim = sum(e.trim for e in combo)
    cost = sum(e.cost for e in combo)
    notes: list[str] = []
    if not an.grid.pulsed:
        notes.append("no steady pulse: joined on phrase and energy features, not beats")
    label = mode
    if mode == "auto":
        label = "extend" if target > n else "cut"
        if not hits and not keep_end and target < n and (not joins or cost > AUTO_LIMIT):
            why = "no place to cut" if not joins else f"the best cut scores {cost:.2f}"
            return FitPlan(
                "trim", n, target, sr, trim_from="tail", fade=min(fade, target // 2),
                tempo=an.tempo, trim=n - target, notes=(f"trimmed instead of cutting: {why}",),
                cost=cost,
            )  # fmt: skip
    if not joins and trim:
        label = "trim"
    return FitPlan(
        label, n, target, sr, joins, trim_from="tail" if trim else "",
        fade=min(fade, target // 2) if trim else 0, tempo=an.tempo, notes=tuple(notes),
        trim=trim, cost=cost, hits=tuple(sorted(hits, key=lambda h: h.source)),
    )  # fmt: skip


def plan_fit(
    mix: np.ndarray,
    sample_rate: int,
    target: int,
    mode: str = "auto",
    **options: object,
) -> FitPlan:
    """The best edit that makes ``mix`` exactly ``target`` samples long (see `plan_fits`)."""
    return plan_fits(mix, sample_rate, target, mode, **options)[0]  # type: ignore[arg-type]


def _pieces(plan: FitPlan) -> list[tuple[int, int] | Join]:
    """The plan as source ranges to copy and joins to crossfade, in playing order."""
    head = plan.trim if plan.trim_from == "head" else 0
    tail = plan.trim if plan.trim_from == "tail" else 0
    pieces: list[tuple[int, int] | Join] = []
    cursor = head
    for join in sorted(plan.joins, key=lambda j: j.at):
        x = join.crossfade
        if join.at - x < cursor or join.to - x < 0 or join.to > plan.source_length:
            raise FitError(f"joins overlap at sample {join.at}: the plan is not for this cue")
        pieces.extend([(cursor, join.at - x), join])
        cursor = join.to
    pieces.append((cursor, plan.source_length - tail))
    return pieces


def apply_plan(samples: np.ndarray, plan: FitPlan) -> np.ndarray:
    """The same edit on any stem of the cue: exactly ``plan.target`` samples out.

    ``samples`` may be any object with ``shape`` and slicing (a stem read lazily from its
    file); the result is filled block by block, so only it is held whole.
    """
    if samples.shape[0] != plan.source_length:
        raise FitError(
            f"stem is {samples.shape[0]} samples long, the cue {plan.source_length}",
            hint="stems of a cue must be the same length",
        )
    if plan.mode == "none":
        return np.array(samples[0 : plan.source_length], dtype=np.float32)
    pieces = _pieces(plan)
    made = sum(p[1] - p[0] if isinstance(p, tuple) else p.crossfade for p in pieces)
    if made != plan.target:
        raise FitError(
            f"the edit made {made} samples, not {plan.target}",
            hint="this is a bug in the fit plan; please report it",
        )
    out = np.empty((plan.target, samples.shape[1]), dtype=np.float32)
    pos = 0
    for piece in pieces:
        if isinstance(piece, Join):
            x = piece.crossfade
            out[pos : pos + x] = crossfade(
                samples[piece.at - x : piece.at], samples[piece.to - x : piece.to], piece.curve
            )
            pos += x
            continue
        for lo in range(piece[0], piece[1], _COPY_BLOCK):
            hi = min(piece[1], lo + _COPY_BLOCK)
            out[pos : pos + hi - lo] = samples[lo:hi]
            pos += hi - lo
    if plan.trim_from == "head":
        _, rising = gains(plan.fade, "s-curve")
        out[: plan.fade] *= rising
    elif plan.trim_from == "tail" and plan.fade:
        falling, _ = gains(plan.fade, "s-curve")
        out[plan.target - plan.fade :] *= falling
    return out


def mix_stems(stems: list[np.ndarray]) -> np.ndarray:
    """The stems of one cue summed into the mix the edit points are chosen on."""
    channels = max(s.shape[1] for s in stems)
    mix = np.zeros((stems[0].shape[0], channels), dtype=np.float32)
    for s in stems:
        mix[:, : s.shape[1]] += s
    return mix
