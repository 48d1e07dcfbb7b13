"""`moodtune ingest | recommend | emotions | playlists | profile | info | label | export | library |
eval`: a thin shell.

Each command parses arguments, makes one library call and prints. MoodTuneError becomes a
ClickException with the error's exit code (0 ok, 1 expected failure, 2 bad input, 3 source
failure); a bug exits with a traceback. Must not compute anything a test would want to check.
"""

from __future__ import annotations

import dataclasses
import functools
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from moodtune.config import Settings, load_settings
from moodtune.emotions import EXTRACTORS
from moodtune.errors import InputError, MoodTuneError
from moodtune.models import EMOTIONS, EmotionProfile, Playlist, Recommendation, RecommendFilters
from moodtune.recommend import APPROACHES
from moodtune.text import strip_control

if TYPE_CHECKING:
    from moodtune.playlist_profiles import PlaylistProfile


class MoodTuneGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MoodTuneError as exc:
            error = _EXIT_ERRORS.get(exc.exit_code, click.ClickException)
            raise error(str(exc)) from exc


# click declares exit_code on the class, so each MoodTune exit code gets its own subclass.
class _BadInput(click.ClickException):
    exit_code = 2


class _SourceFailed(click.ClickException):
    exit_code = 3


_EXIT_ERRORS: dict[int, type[click.ClickException]] = {2: _BadInput, 3: _SourceFailed}


def _echo(message: str, err: bool = False) -> None:
    """Print without terminal control: titles, lyrics and file names come from outside."""
    click.echo(strip_control(message), err=err)


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@click.group(cls=MoodTuneGroup)
@click.option("--home", envvar="MOODTUNE_HOME", help="Library location (default .moodtune/).")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """MoodTune: songs whose lyrics carry a feeling."""
    ctx.obj = load_settings(home=home) if home else load_settings()


@cli.group(cls=MoodTuneGroup)
@click.option(
    "--embedder",
    type=click.Choice(["minilm", "e5"]),
    default=None,
    help="Sentence embedder (default: the library's, else MOODTUNE_EMBEDDER or minilm); "
    "e5 is multilingual. Switching re-embeds the library's tracks.",
)
@click.pass_context
def ingest(ctx: click.Context, embedder: str | None) -> None:
    """Add tracks to the library (demo catalogue, a file, or a Spotify playlist)."""
    ctx.meta["moodtune.embedder"] = embedder


_extractor_option = functools.partial(
    click.option,
    "--extractor",
    type=click.Choice(EXTRACTORS.names()),
    default=None,
    help="Emotion extractor (default: MOODTUNE_EXTRACTOR or local).",
)


def _run_ingest(
    settings: Settings,
    tracks: Sequence[Any],
    label: str,
    extractor: str | None,
    lyrics: Any = None,
    playlists: Sequence[Playlist] = (),
) -> None:
    from moodtune.ingest import build_ingestor

    embedder = click.get_current_context().meta.get("moodtune.embedder")
    ingestor = build_ingestor(
        settings, extractor_name=extractor, lyrics=lyrics, embedder_name=embedder
    )
    with click.progressbar(
        length=len(tracks), label=strip_control(f"Ingesting {label}"), file=sys.stderr
    ) as bar:
        report = ingestor.run(
            tracks, label, progress=lambda done, total, outcome: bar.update(1), playlists=playlists
        )
    for outcome in report.outcomes:
        if outcome.status in ("no lyrics", "failed"):
            _echo(
                f"  {outcome.status}: {outcome.artist} - {outcome.title}: {outcome.reason}",
                err=True,
            )
    _echo(report.summary())
    _echo(f"Library: {report.track_count} tracks, version {report.version}")


@ingest.command("demo")
@_extractor_option()
@click.pass_context
def ingest_demo(ctx: click.Context, extractor: str | None) -> None:
    """Ingest the bundled demo catalogue (original songs, offline)."""
    from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists

    _run_ingest(
        _settings(ctx), load_demo_catalogue(), "demo", extractor, playlists=load_demo_playlists()
    )


@ingest.command("file")
@click.argument("path", type=click.Path(dir_okay=False))
@_extractor_option()
@click.option(
    "--as-corrections",
    is_flag=True,
    help="Take the file's emotions column as your own corrections (as `moodtune export` "
    "writes them), not only as labels for evaluation.",
)
@click.pass_context
def ingest_file(ctx: click.Context, path: str, extractor: str | None, as_corrections: bool) -> None:
    """Ingest a CSV/JSON/JSONL file with title, artist, lyrics (optional id, album, year, url,
    emotions); the file becomes a playlist named after it."""
    from moodtune.corrections import CorrectionStore
    from moodtune.label import import_corrections
    from moodtune.playlists import file_playlist
    from moodtune.sources.files import load_tracks_file

    settings = _settings(ctx)
    tracks = load_tracks_file(path)
    _run_ingest(
        settings, tracks, path, extractor, playlists=[file_playlist(Path(path).name, tracks)]
    )
    if as_corrections:
        store = CorrectionStore(settings.corrections_path)
        count = import_corrections(tracks, store, who=f"import of {Path(path).name}")
        _echo(f"{count} corrections recorded from the emotions column.")


@ingest.command("spotify")
@click.argument("link")
@click.option(
    "--lyrics", "providers", default=None, help="Lyrics providers in order, e.g. lrclib,genius."
)
@_extractor_option()
@click.pass_context
def ingest_spotify(
    ctx: click.Context, link: str, providers: str | None, extractor: str | None
) -> None:
    """Ingest a Spotify playlist you own or collaborate on (needs SPOTIPY_CLIENT_ID)."""
    from moodtune.sources.providers import build_lyrics_chain
    from moodtune.sources.spotify import (
        SpotifyPlaylistSource,
        make_spotify_client,
        spotify_playlist,
    )

    settings = _settings(ctx)
    names = [p.strip() for p in providers.split(",") if p.strip()] if providers else None
    playlist = SpotifyPlaylistSource(make_spotify_client(settings)).fetch_playlist(link)
    for reason in playlist.skipped:
        _echo(f"  skipped: {reason}", err=True)
    chain = build_lyrics_chain(settings, names)
    _run_ingest(
        settings,
        list(playlist.tracks),
        f"Spotify playlist {playlist.name}",
        extractor,
        chain,
        playlists=[spotify_playlist(playlist)],
    )


_EMOTIONS_BY = {
    "listener": "  (emotions set by a listener)",
    "calibrated": "  (emotions calibrated by listeners' corrections)",
}


def _who(who: str | None) -> str:
    if who:
        return who
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _recommendation_json(rec: Recommendation) -> dict[str, Any]:
    data = dataclasses.asdict(rec)
    data["emotions"] = [dataclasses.asdict(m) for m in rec.matched_emotions]
    data.pop("matched_emotions")
    data.pop("details")
    return data


def _list_filter_options(func: Any) -> Any:
    """--exclude-artist, --one-per-artist, --year-from and --year-to, shared by every list."""
    for option in reversed(
        [
            click.option(
                "--exclude-artist",
                "exclude",
                multiple=True,
                help="Leave an artist out (repeatable).",
            ),
            click.option("--one-per-artist", is_flag=True, help="At most one song per artist."),
            click.option("--year-from", type=int, default=None, help="Released in or after YEAR."),
            click.option(
                "--year-to",
                type=int,
                default=None,
                help="Released in or before YEAR (tracks without a year are kept, and said so).",
            ),
        ]
    ):
        func = option(func)
    return func


def _list_output_options(func: Any) -> Any:
    """--out FILE (.csv, .m3u) and --save NAME, shared by recommend and journey."""
    func = click.option(
        "--save", "save_as", default=None, help="Also save the list as a playlist called NAME."
    )(func)
    return click.option(
        "--out",
        "out",
        type=click.Path(dir_okay=False),
        default=None,
        help="Also write the list to FILE: .csv, or .m3u/.m3u8 (extended M3U).",
    )(func)


def _feedback(settings: Settings) -> Any:
    from moodtune.feedback import FeedbackStore

    # Reading must not create a database beside a library nobody has voted on.
    path = settings.feedback_path
    return FeedbackStore(path) if path.is_file() else None


def _deliver(
    settings: Settings, track_ids: Sequence[str], label: str, out: str | None, save_as: str | None
) -> None:
    """Write the list to --out and save it as a playlist for --save; say so on stderr."""
    if out:
        from moodtune.list_export import export_tracks, write_list
        from moodtune.store import open_store

        index = open_store(settings, read_only=True).index()
        fmt = write_list(out, export_tracks(index, track_ids), save_as or label)
        _echo(f"{len(track_ids)} tracks written to {out} ({fmt.upper()})", err=True)
    if save_as:
        from moodtune.playlists import save_playlist
        from moodtune.store import open_store

        saved = save_playlist(open_store(settings), save_as, track_ids)
        _echo(f"Saved as playlist {saved.name!r} ({saved.playlist_id})", err=True)


@cli.command()
@click.argument("text")
@click.option(
    "--approach", type=click.Choice(APPROACHES.names()), default="hybrid", show_default=True
)
@click.option("-k", "k", type=int, default=5, show_default=True, help="Number of tracks.")
@click.option("--playlist", default=None, help="Only tracks of this playlist (name or id).")
@_list_filter_options
@click.option(
    "--more-like", "more_like", multiple=True, help="Refine: more like TRACK (id or title)."
)
@click.option(
    "--less-like", "less_like", multiple=True, help="Refine: less like TRACK (id or title)."
)
@click.option(
    "--then",
    "then",
    multiple=True,
    help='Refine with a follow-up, e.g. --then "less angry" (repeatable; after --more/less-like).',
)
@_list_output_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def recommend(
    ctx: click.Context,
    text: str,
    approach: str,
    k: int,
    playlist: str | None,
    exclude: tuple[str, ...],
    one_per_artist: bool,
    year_from: int | None,
    year_to: int | None,
    more_like: tuple[str, ...],
    less_like: tuple[str, ...],
    then: tuple[str, ...],
    out: str | None,
    save_as: str | None,
    as_json: bool,
) -> None:
    """Recommend tracks for a feeling, e.g. moodtune recommend "I miss my old friends".

    With --more-like, --less-like or --then, the list is refined: the query moves toward or
    away from those tracks, or by the follow-up sentence, and each line says what changed.
    """
    from moodtune.corrections import existing_corrections
    from moodtune.filters import check_years, unknown_year_note
    from moodtune.label import find_track
    from moodtune.recommend import build_recommender, describe_emotions, is_shared
    from moodtune.refine import compare_lists, move, rank_refined, start
    from moodtune.store import open_store
    from moodtune.text import validate_query

    settings = _settings(ctx)
    text = validate_query(text)
    if k < 1:
        raise InputError(f"-k must be at least 1 (got {k}).")
    check_years(year_from, year_to)
    store = open_store(settings)
    if k > len(store):
        _echo(f"Only {len(store)} tracks in the library; showing all of them.", err=True)
    corrections = existing_corrections(settings.corrections_path)
    engine = build_recommender(
        settings, store, corrections=corrections, feedback=_feedback(settings)
    )
    filters = RecommendFilters(
        playlist=playlist or "", exclude_artists=exclude, one_per_artist=one_per_artist,
        year_from=year_from, year_to=year_to,
    )  # fmt: skip
    changes = None
    if more_like or less_like or then:
        index = engine.view().index
        base = start(engine, text)
        moved = move(
            engine,
            base,
            more_like=[find_track(index, t) for t in more_like],
            less_like=[find_track(index, t) for t in less_like],
            sentences=then,
        )
        before = rank_refined(engine, base, approach, k, filters)
        results = rank_refined(engine, moved, approach, k, filters)
        changes = compare_lists(before, results)
        label = moved.label
    else:
        results = engine.recommend(text, approach, k, filters)
        label = text
    notes = {c.track_id: c.note for c in changes.entries} if changes else {}
    if not results:
        _echo("No track matches these filters.", err=True)
    year_note = unknown_year_note([r.year for r in results], year_from, year_to)
    if year_note:
        _echo(year_note, err=True)
    _deliver(settings, [r.track_id for r in results], label, out, save_as)
    if as_json:
        rows = [_recommendation_json(r) for r in results]
        if changes is not None:
            for row in rows:
                row["change"] = notes.get(row["track_id"], "") or "same"
        _echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if changes is not None:
        _echo(f"Refined: {label}")
        _echo(changes.summary())
    for r in results:
        shared = [m for m in r.matched_emotions if is_shared(m)]
        emotions = (
            ", ".join(f"{m.word} ({m.song_score:.2f})" for m in shared)
            if shared
            else describe_emotions(r.matched_emotions)
        )
        by = _EMOTIONS_BY.get(r.emotions_by, "")
        by += f" ({r.emotions_note})" if r.emotions_note else ""
        moved_note = f"  ({notes[r.track_id]})" if notes.get(r.track_id) else ""
        _echo(
            f"{r.rank}. {r.artist} - {r.title}  [{r.match:.0%} match, score {r.score:.3f}]  "
            f"{emotions}{by}{moved_note}"
        )
        if r.matched_line:
            _echo(f'     "{r.matched_line}"')
        if r.playlists:
            _echo(f"     in: {', '.join(r.playlists)}")
    if changes is not None:
        for _, title, artist in changes.dropped:
            _echo(f"   dropped: {artist} - {title}")


@cli.command()
@click.argument("text")
@click.option(
    "--to",
    "target",
    required=True,
    help='Where to go: an emotion (joy, trust, ...) or a sentence, e.g. "hopeful again".',
)
@click.option("-n", "n", type=int, default=8, show_default=True, help="Number of tracks.")
@_list_filter_options
@_list_output_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def journey(
    ctx: click.Context,
    text: str,
    target: str,
    n: int,
    exclude: tuple[str, ...],
    one_per_artist: bool,
    year_from: int | None,
    year_to: int | None,
    out: str | None,
    save_as: str | None,
    as_json: bool,
) -> None:
    """A playlist from the feeling in TEXT to another: moodtune journey "heartbroken" --to joy."""
    from moodtune.corrections import existing_corrections
    from moodtune.filters import unknown_year_note
    from moodtune.journey import JourneyFilters, journey_json, plan_journey
    from moodtune.recommend import build_recommender
    from moodtune.store import open_store

    settings = _settings(ctx)
    store = open_store(settings)
    engine = build_recommender(
        settings, store, corrections=existing_corrections(settings.corrections_path)
    )
    walk = plan_journey(
        engine, text, target, n, JourneyFilters(exclude, one_per_artist, year_from, year_to)
    )
    index = engine.view().index
    year_note = unknown_year_note([index.year(s.row) for s in walk.steps], year_from, year_to)
    if year_note:
        _echo(year_note, err=True)
    _deliver(
        settings, [s.track_id for s in walk.steps], f"Journey to {walk.target.name}", out, save_as
    )
    if as_json:
        click.echo(json.dumps(journey_json(walk), ensure_ascii=False, indent=2))
        return
    click.echo(f"From your feeling to {walk.target.name}, in {len(walk)} tracks:")
    for step in walk.steps:
        click.echo(
            f"{step.position}. {step.artist} - {step.title}  [to target {step.to_target:.2f}]"
        )
        click.echo(f"     {step.why}")


@cli.command()
@click.argument("text")
@_extractor_option()
@click.option("--json", "as_json", is_flag=True, help="Print JSON keyed by emotion name.")
@click.pass_context
def emotions(ctx: click.Context, text: str, extractor: str | None, as_json: bool) -> None:
    """Print the 8 emotion scores of TEXT and its refined words."""
    from moodtune.emotions import build_extractor
    from moodtune.recommend import query_words
    from moodtune.text import validate_query

    settings = _settings(ctx)
    profile = build_extractor(extractor or settings.extractor, settings).extract(
        [validate_query(text)]
    )[0]
    words = query_words(profile)
    if as_json:
        # stdout stays a pure {emotion: score} object; the words go to stderr for people.
        _echo(json.dumps({e: round(s, 4) for e, s in profile.as_dict().items()}, indent=2))
        _echo(f"refined words: {words['refined']}", err=True)
        return
    for emotion, score in profile.ranked():
        _echo(f"{emotion:<13} {score:.3f} {'#' * round(score * 20)}")
    _echo(f"emotion words: {words['emotions']}")
    _echo(f"refined words: {words['refined']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """Show the library: track count, version, model, extractor, location."""
    from moodtune.corrections import existing_corrections
    from moodtune.store import library_info

    settings = _settings(ctx)
    data = dataclasses.asdict(library_info(settings))
    store = existing_corrections(settings.corrections_path)
    fixed = sorted(
        (store.current() if store is not None else {}).values(), key=lambda c: c.created_at
    )
    if as_json:
        data["corrections"] = [dataclasses.asdict(c) for c in fixed]
        _echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key, value in data.items():
        _echo(f"{key:<12} {value}")
    _echo(f"{'corrections':<12} {len(fixed)}")
    for c in fixed:
        _echo(
            f"  {c.track_id}  {c.title} — {c.artist}: {' + '.join(c.emotions)} "
            f"(by {c.who or '?'}, {c.created_at})"
        )


@cli.command()
@click.argument("track")
@click.argument("emotion", required=False)
@click.argument("second", required=False)
@click.option("--undo", is_flag=True, help="Withdraw the track's latest correction.")
@click.option("--who", default=None, help="Who corrects (default: your user name).")
@click.pass_context
def label(
    ctx: click.Context,
    track: str,
    emotion: str | None,
    second: str | None,
    undo: bool,
    who: str | None,
) -> None:
    """Say which emotion a song conveys: moodtune label TRACK EMOTION [SECOND].

    TRACK is a track id or title (see `moodtune info` or the explorer). Every approach ranks the
    track by these emotions at once; `--undo TRACK` withdraws the latest correction.
    """
    from moodtune.corrections import CorrectionStore
    from moodtune.label import label_track, undo_label
    from moodtune.store import open_store

    settings = _settings(ctx)
    index = open_store(settings, read_only=True).index()
    store = CorrectionStore(settings.corrections_path)
    if undo:
        if emotion is not None:
            raise InputError("--undo takes only the track, not emotions.")
        track_id, now = undo_label(index, store, track, who=_who(who))
        after = f"now {' + '.join(now.emotions)}" if now else "back to the model's emotions"
        _echo(f"Correction of {track_id} withdrawn: {after}.")
        return
    if emotion is None:
        raise InputError("Name the emotion the song conveys, e.g. moodtune label TRACK joy.")
    fixed = label_track(index, store, track, emotion, second, who=_who(who))
    _echo(f"{fixed.title} — {fixed.artist} ({fixed.track_id}): {' + '.join(fixed.emotions)}")


@cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.pass_context
def export(ctx: click.Context, path: str) -> None:
    """Write the library to a .csv or .jsonl file in the import format, with your corrections
    in the emotions column (read back with `moodtune ingest file PATH --as-corrections`)."""
    from moodtune.corrections import existing_corrections
    from moodtune.library_export import format_for, library_rows, render_rows
    from moodtune.store import open_store

    settings = _settings(ctx)
    target = Path(path)
    fmt = format_for(target)
    corrections = existing_corrections(settings.corrections_path)
    rows = library_rows(
        open_store(settings, read_only=True),
        corrections.current() if corrections is not None else {},
    )
    try:
        target.write_text(render_rows(rows, fmt), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    _echo(f"{len(rows)} tracks written to {target}")


@cli.group(cls=MoodTuneGroup)
def library() -> None:
    """Check a library that does not open, and roll it back to a version that reads."""


def _local_only(settings: Settings, command: str) -> None:
    if settings.remote:
        raise InputError(
            f"`moodtune library {command}` works on a local library's version files; "
            f"{settings.library_url} is on object storage: use your storage's own versioning."
        )


@library.command("check")
@click.pass_context
def library_check(ctx: click.Context) -> None:
    """Say whether the library opens; if not, which versions are damaged and which still read."""
    from moodtune.library_repair import check_library

    _local_only(_settings(ctx), "check")
    report = check_library(_settings(ctx).library_url)
    _echo(report.summary())
    if not report.healthy:
        ctx.exit(1)


@library.command("restore")
@click.argument("version")
@click.pass_context
def library_restore(ctx: click.Context, version: str) -> None:
    """Roll the library back to VERSION (newer version files are moved aside, not deleted)."""
    from moodtune.library_repair import restore_library

    _local_only(_settings(ctx), "restore")
    report = restore_library(_settings(ctx).library_url, version)
    _echo(f"Library: {report.tracks} tracks, version {report.version}")
    if report.moved:
        _echo(f"Set aside {len(report.moved)} newer version file(s) in {report.moved_to}")


@cli.group("playlists", cls=MoodTuneGroup, invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with each playlist's track ids.")
@click.pass_context
def playlists_command(ctx: click.Context, as_json: bool) -> None:
    """List the library's playlists (Spotify, files, demo, saved) with their track counts; save,
    rename, delete and export them (see the commands below)."""
    if ctx.invoked_subcommand is not None:
        return
    from moodtune.playlists import read_playlists
    from moodtune.store import open_store

    found = read_playlists(open_store(_settings(ctx), read_only=True))
    if as_json:
        rows = [
            {"id": p.playlist_id, "name": p.name, "kind": p.kind, "tracks": len(p.track_ids),
             "owner": p.owner, "snapshot_id": p.snapshot_id, "description": p.description,
             "updated_at": p.updated_at, "track_ids": list(p.track_ids)}
            for p in found
        ]  # fmt: skip
        _echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not found:
        _echo("No playlists yet: ingest the demo catalogue, a file or a Spotify playlist.")
        return
    width = max(len(p.name) for p in found)
    id_width = max(len(p.playlist_id) for p in found)
    for p in found:
        owner = f"  by {p.owner}" if p.owner else ""
        _echo(
            f"{p.name:<{width}}  {len(p.track_ids):>5} tracks  {p.kind:<7}  "
            f"{p.playlist_id:<{id_width}}{owner}"
        )


@playlists_command.command("save")
@click.argument("name")
@click.argument("tracks", nargs=-1, required=True)
@click.pass_context
def playlists_save(ctx: click.Context, name: str, tracks: tuple[str, ...]) -> None:
    """Save TRACKS (ids or titles, in order) as a playlist called NAME."""
    from moodtune.label import find_track
    from moodtune.playlists import save_playlist
    from moodtune.store import open_store

    store = open_store(_settings(ctx))
    index = store.index()
    ids = [index.track_ids[find_track(index, t)] for t in tracks]
    saved = save_playlist(store, name, ids)
    _echo(f"Saved {saved.name!r} ({saved.playlist_id}) with {len(saved.track_ids)} tracks")


@playlists_command.command("rename")
@click.argument("playlist")
@click.argument("new_name")
@click.pass_context
def playlists_rename(ctx: click.Context, playlist: str, new_name: str) -> None:
    """Rename PLAYLIST (name or id); its id stays."""
    from moodtune.playlists import rename_playlist
    from moodtune.store import open_store

    renamed = rename_playlist(open_store(_settings(ctx)), playlist, new_name)
    _echo(f"Renamed to {renamed.name!r} ({renamed.playlist_id})")


@playlists_command.command("delete")
@click.argument("playlist")
@click.pass_context
def playlists_delete(ctx: click.Context, playlist: str) -> None:
    """Delete PLAYLIST (name or id); its tracks stay in the library."""
    from moodtune.playlists import delete_playlist
    from moodtune.store import open_store

    delete_playlist(open_store(_settings(ctx)), playlist)
    _echo(f"Deleted {playlist!r}")


@playlists_command.command("export")
@click.argument("playlist")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
def playlists_export(ctx: click.Context, playlist: str, path: str) -> None:
    """Write PLAYLIST (name, id, or `library`) to PATH: .csv, or .m3u/.m3u8 (extended M3U)."""
    from moodtune.list_export import export_tracks, write_list
    from moodtune.playlists import resolve_playlist
    from moodtune.store import open_store

    store = open_store(_settings(ctx), read_only=True)
    chosen = resolve_playlist(store, playlist)
    fmt = write_list(path, export_tracks(store.index(), chosen.track_ids), chosen.name)
    _echo(f"{len(chosen.track_ids)} tracks of {chosen.name!r} written to {path} ({fmt.upper()})")


@playlists_command.command("spotify")
@click.argument("playlist")
@click.option("--name", "spotify_name", default=None, help="Name on Spotify (default: the same).")
@click.pass_context
def playlists_spotify(ctx: click.Context, playlist: str, spotify_name: str | None) -> None:
    """Create a private Spotify playlist with PLAYLIST's Spotify tracks (needs
    SPOTIPY_CLIENT_ID and SPOTIPY_REFRESH_TOKEN with the playlist-modify-private scope)."""
    from moodtune.list_export import export_tracks
    from moodtune.playlists import resolve_playlist
    from moodtune.sources.spotify_playlist import PlaylistWriter, make_playlist_client
    from moodtune.store import open_store

    settings = _settings(ctx)
    store = open_store(settings, read_only=True)
    chosen = resolve_playlist(store, playlist)
    tracks = export_tracks(store.index(), chosen.track_ids)
    created = PlaylistWriter(make_playlist_client(settings)).create(
        spotify_name or chosen.name, tracks, "Made with MoodTune"
    )
    where = created.url or created.playlist_id
    _echo(f"Created the private Spotify playlist {created.name!r}: {where}")
    _echo(f"{created.added} tracks added", err=True)
    if created.left_out:
        _echo(f"{created.left_out} tracks are not Spotify tracks and were left out", err=True)


def _profile_json(profile: PlaylistProfile) -> dict[str, Any]:
    return {
        "id": profile.playlist_id,
        "name": profile.name,
        "kind": profile.kind,
        "tracks": len(profile),
        "reading": profile.reading,
        "profile": {e: round(s, 4) for e, s in profile.mean.as_dict().items()},
        "dominant_counts": dict(profile.counts),
        "arc": [
            {
                "position": i + 1,
                "track_id": profile.track_ids[i],
                "title": profile.titles[i],
                "artist": profile.artists[i],
                "dominant": profile.dominant[i],
                "profile": {e: round(float(s), 4) for e, s in zip(EMOTIONS, row, strict=True)},
            }
            for i, row in enumerate(profile.arc)
        ],
    }


@cli.command()
@click.argument("playlist")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def profile(ctx: click.Context, playlist: str, as_json: bool) -> None:
    """Emotion profile of PLAYLIST (a name or id from `moodtune playlists`, or `library`):
    mean profile, dominant-emotion counts, its mood in a sentence and its arc in play order."""
    from moodtune.playlist_profiles import profile_playlist
    from moodtune.playlists import resolve_playlist
    from moodtune.store import open_store

    store = open_store(_settings(ctx), read_only=True)
    result = profile_playlist(store.index(), resolve_playlist(store, playlist))
    if as_json:
        _echo(json.dumps(_profile_json(result), ensure_ascii=False, indent=2))
        return
    _echo(f"{result.name} ({result.kind}, {len(result)} tracks)")
    _echo(result.reading)
    _echo("\nProfile (mean of its tracks)")
    for emotion, score in result.mean.ranked():
        _echo(f"  {emotion:<13} {score:.3f} {'#' * round(score * 20)}")
    _echo("\nDominant emotion per track")
    _echo("  " + " · ".join(f"{e} {c}" for e, c in result.counts if c))
    _echo("\nArc (play order)")
    for i, row in enumerate(result.arc):
        top = " · ".join(f"{e} {s:.2f}" for e, s in EmotionProfile(tuple(row)).top(3))
        _echo(f"  {i + 1:>3}. {result.titles[i]} - {result.artists[i]}  [{top}]")


@cli.group("eval", cls=MoodTuneGroup)
def eval_group() -> None:
    """Compare extractors (F1 on labelled text) and approaches (ranking metrics, thumbs up)."""


def _bar(label: str) -> Any:
    return click.progressbar(length=1, label=strip_control(label), file=sys.stderr)


@eval_group.command("extract")
@click.option(
    "--extractor",
    type=click.Choice(EXTRACTORS.names()),
    default=None,
    help="Emotion extractor to score (default: MOODTUNE_EXTRACTOR or local).",
)
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(dir_okay=False),
    help="XED-format file: text<TAB>comma-separated emotions, e.g. ../shared/eval/xed_en_test.tsv.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def eval_extract(ctx: click.Context, extractor: str | None, data: str, as_json: bool) -> None:
    """Micro/macro and per-emotion F1 of an extractor on labelled text (present = score >= 0.5)."""
    from moodtune.emotions import build_extractor
    from moodtune.evaluate import evaluate_extractor, extractor_table

    settings = _settings(ctx)
    model = build_extractor(extractor or settings.extractor, settings)
    with _bar(f"Scoring {data} with {model.name}") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        report = evaluate_extractor(model, data, progress=progress)
    if as_json:
        _echo(json.dumps(dataclasses.asdict(report), indent=2))
        return
    _echo(
        f"{report.extractor} ({report.version}) on {report.data}: {report.scores.n} texts "
        f"in {report.seconds:.2f} s"
    )
    _echo(extractor_table(report))


@eval_group.command("recommend")
@click.option(
    "--queries",
    type=click.Path(dir_okay=False),
    default=None,
    help='JSONL of {"id", "query", "emotions": [...]} (default: data/eval_queries.jsonl).',
)
@click.option(
    "--approach",
    "approaches",
    multiple=True,
    type=click.Choice(APPROACHES.names()),
    help="Approaches to compare (repeatable; default: all).",
)
@click.option("-k", "k", type=int, default=10, show_default=True, help="nDCG cutoff.")
@click.option("--resamples", type=int, default=2000, show_default=True, help="Bootstrap resamples.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with per-query results.")
@click.pass_context
def eval_recommend(
    ctx: click.Context,
    queries: str | None,
    approaches: tuple[str, ...],
    k: int,
    resamples: int,
    as_json: bool,
) -> None:
    """Precision@5, nDCG@k and MRR per approach on a labelled query set, with 95% intervals.

    A result is a hit when the song's labelled emotions include the query's first expected
    emotion. Needs a library with labels (the demo catalogue, or a file with `emotions`).
    """
    from moodtune.evaluate import (
        DEFAULT_QUERIES,
        describe_comparison,
        evaluate_recommender,
        recommender_table,
    )
    from moodtune.evaluate.labelled_data import few_queries_note
    from moodtune.recommend import build_recommender
    from moodtune.store import open_store

    settings = _settings(ctx)
    if resamples < 1:
        raise InputError(f"--resamples must be at least 1 (got {resamples}).")
    recommender = build_recommender(settings, open_store(settings, read_only=True))
    path = queries or DEFAULT_QUERIES
    with _bar("Ranking the library for every query") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        report = evaluate_recommender(
            recommender, path, k, approaches=approaches or None, resamples=resamples,
            progress=progress,
        )  # fmt: skip
    if as_json:
        data = dataclasses.asdict(report)
        data["best"] = report.best
        _echo(json.dumps(data, indent=2))
        return
    _echo(
        f"{report.n_queries} queries from {report.queries} on {report.tracks} tracks "
        f"({report.labelled_tracks} labelled), library version {report.library_version}"
    )
    if report.skipped:
        _echo(
            f"Skipped {len(report.skipped)} queries whose first emotion no track carries: "
            + ", ".join(report.skipped),
            err=True,
        )
    _echo(recommender_table(report))
    _echo(describe_comparison(report))
    note = few_queries_note(report.n_queries)
    if note:
        _echo(note)


@eval_group.command("songs")
@click.option(
    "--data",
    "data",
    default=None,
    type=click.Path(dir_okay=False),
    help="Labelled songs in the import format (title, artist, lyrics, emotions: main first), "
    "e.g. ../shared/eval/pd_songs_dev.jsonl.",
)
@click.option(
    "--library",
    "use_library",
    is_flag=True,
    help="Judge your library's labelled tracks instead, as listeners hear them: the tracks you "
    "have not corrected, before and after the calibration your corrections switch on.",
)
@click.option("--all-tracks", is_flag=True, help="With --library: judge corrected tracks too.")
@_extractor_option()
@click.option("--resamples", type=int, default=2000, show_default=True, help="Bootstrap resamples.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with per-song results.")
@click.pass_context
def eval_songs(
    ctx: click.Context,
    data: str | None,
    use_library: bool,
    all_tracks: bool,
    extractor: str | None,
    resamples: int,
    as_json: bool,
) -> None:
    """Agreement of song emotions with listeners' labels.

    With --data, a labelled file analysed in a scratch library (yours is never touched); with
    --library, your library's labelled tracks. Top-1 agreement with the main emotion, main
    emotion within the top 2, macro-F1, per-emotion recall and the confusion matrix, with 95%
    bootstrap intervals and two baselines.
    """
    from moodtune.song_agreement import (
        agreement_table,
        confusion_table,
        describe_song_agreement,
        evaluate_song_file,
        recall_table,
    )

    if resamples < 1:
        raise InputError(f"--resamples must be at least 1 (got {resamples}).")
    if (data is None) == (not use_library):
        raise InputError("Give either --data FILE or --library.")
    if use_library:
        _eval_library_songs(_settings(ctx), resamples, not all_tracks, as_json)
        return
    assert data is not None
    with _bar(f"Analysing {data}") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        report = evaluate_song_file(
            _settings(ctx), data, extractor_name=extractor, resamples=resamples, progress=progress
        )
    if as_json:
        payload = dataclasses.asdict(report)
        payload["unreachable"] = list(report.unreachable)
        _echo(json.dumps(payload, indent=2))
        return
    _echo(f"{report.n} labelled songs from {report.source}")
    _echo(agreement_table(report))
    _echo("")
    _echo(recall_table(report))
    _echo("")
    _echo(confusion_table(report))
    _echo(describe_song_agreement(report))


def _eval_library_songs(
    settings: Settings, resamples: int, uncorrected_only: bool, as_json: bool
) -> None:
    from moodtune.corrections import existing_corrections
    from moodtune.label import calibration_effect, corrected_agreement, corrected_agreement_table
    from moodtune.song_agreement import describe_song_agreement
    from moodtune.store import open_store

    library = open_store(settings, read_only=True)
    store = existing_corrections(settings.corrections_path)
    index = library.index()
    current = store.current() if store is not None else {}
    if not any(index.labels):
        # Nothing to judge against: say what the corrections' calibration does all the same.
        effect = calibration_effect(index, current, library.song_states)
        if as_json:
            _echo(json.dumps(effect.summary(), indent=2, ensure_ascii=False))
            return
        _echo(
            f"No track of this library has labels, so nothing is judged; "
            f"{effect.corrections} corrections in force."
        )
        _echo(effect.describe())
        return
    result = corrected_agreement(
        index,
        current,
        resamples=resamples,
        uncorrected_only=uncorrected_only,
        states=library.song_states,
    )
    if as_json:
        payload = {
            **result.effect.summary(),
            "before": dataclasses.asdict(result.before),
            "after": dataclasses.asdict(result.after),
        }
        _echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _echo(f"{result.after.n} labelled tracks judged; {result.corrections} corrections in force.")
    _echo(result.effect.describe())
    _echo(corrected_agreement_table(result))
    _echo(describe_song_agreement(result.after))


@eval_group.command("feedback")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def eval_feedback(ctx: click.Context, as_json: bool) -> None:
    """Thumbs-up share per approach from the app's votes, with 95% Wilson intervals."""
    from moodtune.evaluate import describe_feedback, feedback_report, feedback_table
    from moodtune.feedback import FeedbackStore

    settings = _settings(ctx)
    # Reading must not create a database beside a library nobody has voted on.
    path = settings.feedback_path
    report = feedback_report(FeedbackStore(path) if path.is_file() else None)
    if as_json:
        rows = [
            {**dataclasses.asdict(r), "total": r.total, "share_up": r.share_up} for r in report.rows
        ]
        _echo(json.dumps({"confidence": report.confidence, "rows": rows}, indent=2))
        return
    _echo(f"{report.total} votes in {path}")
    _echo(feedback_table(report))
    _echo(describe_feedback(report))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
