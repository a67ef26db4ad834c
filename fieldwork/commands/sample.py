"""``fieldwork sample frame import|list``, ``sample draw``, ``sample exclude``, ``sample report``:
choosing the case files from the command line (docs/sampling.md). Each acts as the
operating-system user, audited under that name (contract section 8); everything is checked
before anything is written."""

from __future__ import annotations

import json
import sys

from fieldwork import db, startup
from fieldwork.commands import shared
from fieldwork.files.csv_out import csv_text
from fieldwork.problem_codes import BAD_COLUMN_MAP
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import sampling, sampling_exclusions, sampling_frames, sampling_report
from fieldwork.services.permissions import command_line_actor

FORMATS = ("text", "json", "csv")


def register(sub, common) -> None:
    ssub = shared.command_group(sub, common, "sample", "sampling frames, the draw, exclusions, the sample's report")

    fsub = shared.command_group(ssub, common, "frame", "import or list sampling frames", dest="frame_action")
    fi = fsub.add_parser("import", parents=[common], help="import a force's list of eligible cases (.csv or .xlsx)",
                         description="Import a sampling frame: one row per eligible case, a pseudonymous reference "
                                     "and the attributes to balance on. Run with --dry-run first to see the column "
                                     "map; change it with --map. All or nothing: every bad row is named.")
    fi.add_argument("file", metavar="FILE")
    fi.add_argument("--questionnaire", default="case_review", metavar="Q")
    fi.add_argument("--force", default=None, metavar="CODE", help="the force of every row, when no column says it")
    fi.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                    help="map a column to a field (case_ref, force, a context question such as plea, or a new "
                         "name); COLUMN= leaves the column out. Repeat for more.")
    fi.add_argument("--dry-run", action="store_true", help="check the file and show the map, write nothing")
    fi.set_defaults(handler=frame_import_command)
    fl = fsub.add_parser("list", parents=[common], help="the frames held")
    fl.add_argument("--questionnaire", default="case_review", metavar="Q")
    fl.set_defaults(handler=frame_list_command)

    d = ssub.add_parser("draw", parents=[common], help="draw the sample of each force from its frame",
                        description=sampling.METHOD + " The same frame, seed and settings draw the same cases.")
    d.add_argument("--questionnaire", default="case_review", metavar="Q")
    d.add_argument("--seed", type=int, required=True, metavar="S", help="a whole number; note it")
    d.add_argument("--strata", default="", metavar="ATTR,ATTR",
                   help="attributes to stratify on, e.g. plea,domestic_abuse")
    d.add_argument("--allocation", choices=sampling.ALLOCATIONS, default=sampling.PROPORTIONAL,
                   help="proportional to the frame's strata, or equal in each (balance)")
    d.add_argument("--force", action="append", default=[], metavar="CODE",
                   help="draw this force only (repeat; default every frame not drawn yet)")
    d.add_argument("--target", action="append", default=[], metavar="[CODE=]N",
                   help="cases to draw (default the inspection's: 16, 32 for Greater Manchester; 6/9 PIN)")
    d.add_argument("--inspector", default=None, metavar="NAME", help="whose draft each drawn case becomes")
    d.add_argument("--dry-run", action="store_true", help="show the draw, write nothing")
    d.add_argument("--format", choices=("text", "json"), default="text")
    d.set_defaults(handler=draw_command)

    e = ssub.add_parser("exclude", parents=[common], help="mark a drawn case unusable; the next reserve replaces it")
    e.add_argument("case", metavar="CASE")
    e.add_argument("--reason", required=True, choices=list(sampling_exclusions.REASONS))
    e.add_argument("--detail", default="", metavar="TEXT", help="why, in a few words (required with --reason other)")
    e.add_argument("--questionnaire", default=None, metavar="Q")
    e.set_defaults(handler=exclude_command)

    c = ssub.add_parser("cases", parents=[common], help="the drawn cases to pull (replacements included) and the "
                                                        "exclusions")
    c.add_argument("--questionnaire", default="case_review", metavar="Q")
    c.add_argument("--format", choices=("text", "csv"), default="text")
    c.set_defaults(handler=cases_command)

    r = ssub.add_parser("report", parents=[common], help="per force and stratum: frame, target, drawn, excluded, "
                                                         "replaced, assessed")
    r.add_argument("--questionnaire", default="case_review", metavar="Q")
    r.add_argument("--format", choices=FORMATS, default="text")
    r.add_argument("--weight", default=None, metavar="QUESTION",
                   help="also a single-choice question's shares weighted back to the frames' strata")
    r.set_defaults(handler=report_command)


def _column_map(args, table, session) -> dict[str, str] | None:
    if not args.map:
        return None
    from fieldwork.services import inspections
    questionnaire = inspections.load_questionnaire(session, args.questionnaire)
    mapping = sampling_frames.propose_map(table.header, questionnaire)
    bad = []
    for item in args.map:
        column, sep, target = item.partition("=")
        if not sep:
            bad.append(Problem(BAD_COLUMN_MAP, f"write --map COLUMN=FIELD, not {item!r}"))
        else:
            mapping[column.strip()] = target.strip()
    if bad:
        raise ProblemError(bad, "no frame was imported")
    return mapping


def frame_import_command(args) -> int:
    actor = command_line_actor()
    table = sampling_frames.read_frame(args.file)
    with db.session_scope(startup.open_engine(args.db)) as session:
        result = sampling_frames.import_frame(session, actor, args.questionnaire, table, table.source,
                                              column_map=_column_map(args, table, session), force=args.force,
                                              inspection=args.inspection, dry_run=args.dry_run)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{result.source}: column map")
    for column, target in result.column_map.items():
        print(f"  {column!r} -> {target or '(left out)'}")
    print("cases per force: " + ", ".join(f"{f} {n}" for f, n in sorted(result.forces.items())))
    if args.dry_run:
        print("Dry run: nothing imported. Change the map with --map COLUMN=FIELD, then run without --dry-run.")
    else:
        print(f"{sum(result.forces.values())} case(s) imported into {len(result.forces)} frame(s)"
              + (f"; replaced the undrawn frame(s) of {', '.join(result.replaced)}" if result.replaced else ""))
    return 0


def frame_list_command(args) -> int:
    with db.session_scope(startup.open_engine(args.db)) as session:
        rows = sampling_frames.frames(session, command_line_actor(), args.questionnaire, inspection=args.inspection)
    if not rows:
        print(f"{args.questionnaire}: no sampling frame yet (fieldwork sample frame import FILE)")
    for f in rows:
        print(f"{f.force}: {f.cases} case(s) from {f.source}, attributes {', '.join(f.attributes) or 'none'}"
              f"{' — drawn' if f.drawn else ''}")
    return 0


def _targets(values: list[str]) -> dict[str, int] | int | None:
    out: dict[str, int] = {}
    problems = []
    for v in values:
        force, sep, n = v.rpartition("=")
        try:
            out[force if sep else ""] = int(n)
        except ValueError:
            problems.append(Problem(sampling.BAD_SETTING, f"--target takes N or CODE=N, not {v!r}", field="target"))
    if problems:
        raise ProblemError(problems, "nothing was drawn")
    return out


def draw_command(args) -> int:
    actor = command_line_actor()
    targets = _targets(args.target)
    every = targets.pop("", None)
    strata = [s for s in args.strata.split(",") if s.strip()]
    with db.session_scope(startup.open_engine(args.db)) as session:
        if every is not None:  # one target for every force drawn
            forces = args.force or [f.force for f in sampling_frames.frames(
                session, actor, args.questionnaire, inspection=args.inspection) if not f.drawn]
            targets = {**{f: every for f in forces}, **targets}
        result = sampling.draw(session, actor, args.questionnaire, seed=args.seed, strata=strata,
                               allocation=args.allocation, forces=args.force or None, targets=targets,
                               inspector=args.inspector, inspection=args.inspection, dry_run=args.dry_run)
    if args.format == "json":
        print(json.dumps({"questionnaire": result.questionnaire, "seed": result.seed, "allocation": result.allocation,
                          "strata": list(result.strata), "method": result.method, "written": result.written,
                          "forces": [{"force": fp.force, "frame": fp.frame_size, "target": fp.target, "strata": [
                              {"stratum": sp.key, "frame": sp.frame_size, "allocated": sp.allocated,
                               "probability": round(sp.allocated / sp.frame_size, 4),
                               "drawn": [r for _, r, _ in sp.drawn], "reserves": [r for _, r, _ in sp.reserves]}
                              for sp in fp.strata]} for fp in result.forces]}, indent=2))
        return 0
    print(f"{result.questionnaire}: seed {result.seed}, {result.allocation} allocation, strata "
          f"{' × '.join(result.strata) or 'none'}")
    print(result.method)
    for fp in result.forces:
        print(f"\n{fp.force}: {fp.target} of {fp.frame_size} frame case(s)")
        for sp in fp.strata:
            print(f"  {sp.key or '(one stratum)'}: {sp.allocated} of {sp.frame_size} "
                  f"(probability {sp.allocated / sp.frame_size:.3f})")
            print(f"    drawn: {', '.join(r for _, r, _ in sp.drawn) or '-'}")
            more = len(sp.reserves) - 5
            print(f"    reserves in order: {', '.join(r for _, r, _ in sp.reserves[:5]) or 'none'}"
                  + (f" … (+{more})" if more > 0 else ""))
    if result.written:
        print(f"\nDrawn by {actor.name}: the cases are in the Cases register as drafts for {args.inspector}.")
    else:
        print("\nDry run: nothing written. The same command without --dry-run draws exactly these cases.")
    return 0


def exclude_command(args) -> int:
    actor = command_line_actor()
    with db.session_scope(startup.open_engine(args.db)) as session:
        out = sampling_exclusions.exclude(session, actor, args.case, args.reason, args.detail,
                                          questionnaire=args.questionnaire, inspection=args.inspection)
    print(f"{out.case_ref} excluded ({sampling_exclusions.REASONS[out.reason]}); "
          + (f"{out.replacement}, the next reserve of {out.stratum or 'the force'}, takes its place in the register"
             if out.replacement else f"no reserve is left in {out.stratum or 'the force'}: the sample is one short"))
    return 0


def cases_command(args) -> int:
    actor = command_line_actor()
    with db.session_scope(startup.open_engine(args.db)) as session:
        drawn = sampling_report.sampled_cases(session, actor, args.questionnaire, inspection=args.inspection)
        gone = sampling_report.exclusions(session, actor, args.questionnaire, inspection=args.inspection)
    if args.format == "csv":
        from exports.sample import cases_csv

        sys.stdout.write(cases_csv(drawn, gone).decode("utf-8"))
        return 0
    print(f"{args.questionnaire}: {len(drawn)} case(s) in the sample, {len(gone)} excluded")
    for c in drawn:
        print(f"  {c.case_ref}  {c.force}  {c.stratum or '(one stratum)'}"
              + (f"  (replaces {c.replaces})" if c.replaces else ""))
    for e in gone:
        print(f"  excluded {e.case_ref}  {e.force}  {sampling_exclusions.REASONS.get(e.reason, e.reason)}"
              f"  by {e.excluded_by}; replaced by {e.replacement or 'nobody: no reserve left'}")
    return 0


HEADER, _row = sampling_report.TABLE_HEADER, sampling_report.table_row


def report_command(args) -> int:
    actor = command_line_actor()
    with db.session_scope(startup.open_engine(args.db)) as session:
        rep = sampling_report.report(session, actor, args.questionnaire, inspection=args.inspection)
        shares = sampling_report.weighted(session, actor, args.questionnaire, args.weight,
                                          inspection=args.inspection) if args.weight else None
    forces = list(dict.fromkeys(r.force for r in rep.rows))
    if args.format == "json":
        print(json.dumps({"questionnaire": rep.questionnaire, "rows": [dict(zip(HEADER, _row(r))) for r in rep.rows],
                          "forces": [dict(zip(HEADER, _row(rep.force_total(f)))) for f in forces],
                          "draws": rep.draws,
                          "weighted": [vars(s) for s in shares] if shares is not None else None},
                         indent=2, default=str))
        return 0
    if args.format == "csv":
        sys.stdout.write(csv_text(HEADER, [_row(r) for r in rep.rows]))
        return 0
    if not rep.rows:
        print(f"{args.questionnaire}: no sampling frame yet (fieldwork sample frame import FILE)")
        return 0
    for f in forces:
        t = rep.force_total(f)
        d = rep.draws.get(f)
        how = (f"seed {d['seed']}, {d['allocation']}, strata {' × '.join(json.loads(d['strata'])) or 'none'}"
               if d else "not drawn yet")
        print(f"{f} ({how}): frame {t.frame}, target {t.target}, drawn {t.drawn}, excluded {t.excluded_total}, "
              f"replaced {t.replaced}, in sample {t.in_sample}, assessed {t.assessed}")
        for r in (r for r in rep.rows if r.force == f):
            why = ", ".join(f"{sampling_report.reason_label(k).lower()} {v}" for k, v in sorted(r.excluded.items()))
            print(f"  {r.stratum or '(one stratum)'}: frame {r.frame}, target {r.target}, drawn {r.drawn}, "
                  f"excluded {r.excluded_total}{f' ({why})' if why else ''}, replaced {r.replaced}, "
                  f"assessed {r.assessed}, reserves left {r.reserves_left}"
                  + (f", SHORT BY {r.shortfall}" if r.shortfall else ""))
    if shares is not None:
        print(f"\n{args.weight} over the drawn sample's assessed cases — unweighted (as the report counts) and "
              "weighted back to the frames' strata (Σ N_h/N · p_h):")
        for s in shares:
            print(f"  {s.code}: {s.count} of {s.denominator} = {s.percent if s.percent is not None else '-'}%; "
                  f"weighted {s.weighted_percent if s.weighted_percent is not None else '-'}%")
    return 0
