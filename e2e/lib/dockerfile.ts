/**
 * Reads the repository's Dockerfile and replays its stages into plain directories, so a test can prove
 * the image's steps without a container engine: each stage's WORKDIR becomes a fresh directory, COPY
 * copies exactly the named files (from the build context or an earlier stage), RUN runs the commands a
 * Node image would run. Anything the replay does not understand fails it, so the Dockerfile cannot
 * drift from what is proven.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Instruction =
  | { op: 'FROM'; image: string; stage?: string }
  | { op: 'WORKDIR'; dir: string }
  | { op: 'COPY'; from?: string; sources: string[]; dest: string }
  | { op: 'RUN'; commands: string[] }
  | { op: 'ENV'; name: string; value: string }
  | { op: 'USER' | 'EXPOSE' | 'ENTRYPOINT' | 'CMD'; args: string };

/** Parses one instruction per line (continuations joined, comments dropped). */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return lines.map((line): Instruction => {
    const [op, ...rest] = line.split(/\s+/);
    const args = line.slice(op!.length).trim();
    switch (op!.toUpperCase()) {
      case 'FROM': return { op: 'FROM', image: rest[0]!, ...(rest[1]?.toUpperCase() === 'AS' ? { stage: rest[2] } : {}) };
      case 'WORKDIR': return { op: 'WORKDIR', dir: args };
      case 'COPY': {
        const from = rest[0]?.startsWith('--from=') ? rest.shift()!.slice('--from='.length) : undefined;
        if (rest.some((r) => r.startsWith('--'))) throw new Error(`COPY flag not replayable: ${line}`);
        return { op: 'COPY', ...(from ? { from } : {}), sources: rest.slice(0, -1), dest: rest.at(-1)! };
      }
      case 'RUN': return { op: 'RUN', commands: args.split('&&').map((c) => c.trim()) };
      case 'ENV': {
        const m = /^(\w+)=(.*)$/.exec(args);
        if (!m) throw new Error(`ENV form not replayable: ${line}`);
        return { op: 'ENV', name: m[1]!, value: m[2]! };
      }
      case 'USER': case 'EXPOSE': case 'ENTRYPOINT': case 'CMD':
        return { op: op!.toUpperCase() as 'USER', args };
      default: throw new Error(`instruction not replayable: ${line}`);
    }
  });
}

/** A replayed stage: its directory (the WORKDIR) and what it declared. */
export interface Stage {
  image: string;
  name?: string;
  dir: string;
  workdir: string;
  env: Record<string, string>;
  copied: string[];
  ran: string[];
  skipped: string[];
  entrypoint?: string[];
  cmd?: string[];
}

export interface ReplayOptions {
  /** The build context (the repository root). */
  context: string;
  /** Where the stages' directories are made. */
  into: string;
  /**
   * Runs one RUN command in a stage's directory; returns 'skip' with a reason for commands that only
   * touch the container outside the app directory. Throwing fails the replay.
   */
  runCommand(command: string, stage: Stage): Promise<'ran' | { skip: string }>;
}

function copyInto(src: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
}

/** Replays every stage in order; returns them, the last one being the image. */
export async function replayDockerfile(instructions: Instruction[], opts: ReplayOptions): Promise<Stage[]> {
  const stages: Stage[] = [];
  let cur: Stage | undefined;
  const need = (): Stage => {
    if (!cur) throw new Error('instruction before FROM');
    return cur;
  };
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      cur = { image: ins.image, ...(ins.stage ? { name: ins.stage } : {}), dir: '', workdir: '', env: {}, copied: [], ran: [], skipped: [] };
      stages.push(cur);
      continue;
    }
    const stage = need();
    switch (ins.op) {
      case 'WORKDIR':
        stage.workdir = ins.dir;
        stage.dir = fs.mkdtempSync(path.join(opts.into, `stage${stages.length - 1}-`));
        break;
      case 'COPY': {
        if (!stage.dir) throw new Error('COPY before WORKDIR');
        const dest = path.join(stage.dir, ins.dest);
        for (const src of ins.sources) {
          let from: string;
          if (ins.from) {
            const source = stages.find((s) => s.name === ins.from);
            if (!source) throw new Error(`COPY --from=${ins.from}: no such stage`);
            if (!src.startsWith(`${source.workdir}/`)) throw new Error(`COPY --from=${ins.from} ${src}: outside that stage's WORKDIR`);
            from = path.join(source.dir, src.slice(source.workdir.length + 1));
          } else {
            if (path.isAbsolute(src) || src.includes('..')) throw new Error(`COPY ${src}: outside the build context`);
            from = path.join(opts.context, src);
          }
          if (!fs.existsSync(from)) throw new Error(`COPY ${src}: missing`);
          const target = ins.dest.endsWith('/') ? path.join(dest, path.basename(src)) : dest;
          copyInto(from, target);
          stage.copied.push(`${ins.from ? `${ins.from}:` : ''}${src}`);
        }
        break;
      }
      case 'RUN':
        for (const command of ins.commands) {
          const r = await opts.runCommand(command, stage);
          if (r === 'ran') stage.ran.push(command);
          else stage.skipped.push(`${command} (${r.skip})`);
        }
        break;
      case 'ENV':
        stage.env[ins.name] = ins.value;
        break;
      case 'ENTRYPOINT':
      case 'CMD':
        stage[ins.op === 'ENTRYPOINT' ? 'entrypoint' : 'cmd'] = JSON.parse(ins.args) as string[];
        break;
      default:
        break;
    }
  }
  return stages;
}

/** Runs `npm` with the words of a RUN command (no shell), in `cwd`. */
export async function npm(words: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  await run('npm', words, { cwd, env, maxBuffer: 64 << 20 });
}
