/**
 * deploy/Containerfile, read with dockerfile-ast. No image can be pulled on these machines, so the
 * real Containerfile cannot be built here (docs/operations.md says what was verified instead);
 * this test checks what a build would rely on: two stages from a Node LTS image, every file a
 * COPY takes from the context exists and is not ignored, the build compiles every workspace the
 * CLI runs, the runtime stage copies them and the production dependencies, and the service runs
 * as a numeric non-root user from a working directory it owns, with the flowzone CLI as entrypoint.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { DockerfileParser, type Instruction } from "dockerfile-ast";

import { readDeployFile, REPO } from "./deploy-files";

interface Stage {
  readonly name: string;
  readonly instructions: readonly Instruction[];
}

interface Manifest {
  readonly name: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly bin?: Readonly<Record<string, string>>;
}

const CONTAINERFILE = DockerfileParser.parse(readDeployFile("Containerfile"));

/** The instructions of each stage, in order. */
function stages(): Stage[] {
  const result: { name: string; instructions: Instruction[] }[] = [];
  for (const instruction of CONTAINERFILE.getInstructions()) {
    if (instruction.getKeyword() === "FROM") result.push({ name: CONTAINERFILE.getFROMs()[result.length]?.getBuildStage() ?? "", instructions: [] });
    else result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

function stage(name: string): Stage {
  const found = stages().find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no stage ${name} in deploy/Containerfile`);
  return found;
}

function args(instruction: Instruction): string[] {
  return instruction.getArguments().map((argument) => argument.getValue());
}

function keyword(of: Stage, word: string): Instruction[] {
  return of.instructions.filter((instruction) => instruction.getKeyword() === word);
}

/** `COPY` sources and destination, with its --from stage. */
function copies(of: Stage): { from: string | null | undefined; sources: string[]; destination: string }[] {
  return keyword(of, "COPY").map((instruction) => {
    const all = args(instruction);
    const from = CONTAINERFILE.getCOPYs().find((copy) => copy.getRange().start.line === instruction.getRange().start.line)?.getFromFlag()?.getValue();
    return { from, sources: all.slice(0, -1), destination: all.at(-1) ?? "" };
  });
}

/** The last WORKDIR of a stage. */
function workdir(of: Stage): string {
  return args(keyword(of, "WORKDIR").at(-1) as Instruction)[0] ?? "";
}

/** Every workspace by package name, with its folder relative to the repository. */
function workspaces(): Map<string, { folder: string; manifest: Manifest }> {
  const result = new Map<string, { folder: string; manifest: Manifest }>();
  for (const group of ["packages", "services"]) {
    for (const dir of readdirSync(path.join(REPO, group))) {
      const file = path.join(REPO, group, dir, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
      result.set(manifest.name, { folder: `${group}/${dir}`, manifest });
    }
  }
  return result;
}

/** The folders of the CLI's workspace and every workspace it depends on, directly or not. */
function cliWorkspaceFolders(): string[] {
  const all = workspaces();
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const workspace = all.get(name);
    if (workspace === undefined || seen.has(workspace.folder)) return;
    seen.add(workspace.folder);
    for (const dependency of Object.keys(workspace.manifest.dependencies ?? {})) visit(dependency);
  };
  visit("@flowzone/cli");
  return [...seen].sort();
}

/** The folders `tsc -b <project>` builds: the project and its references, transitively. */
function builtBy(project: string, seen = new Set<string>()): Set<string> {
  if (seen.has(project)) return seen;
  seen.add(project);
  const config = JSON.parse(readFileSync(path.join(REPO, project, "tsconfig.json"), "utf8")) as { references?: { path: string }[] };
  for (const reference of config.references ?? []) builtBy(path.relative(REPO, path.join(REPO, project, reference.path)), seen);
  return seen;
}

const covers = (sources: readonly string[], file: string): boolean => sources.some((source) => file === source.replace(/\/$/, "") || file.startsWith(source.endsWith("/") ? source : `${source}/`));

describe("deploy/Containerfile", () => {
  it("has a build stage and a runtime stage, the runtime last", () => {
    expect(stages().map((each) => each.name)).toEqual(["build", "runtime"]);
  });

  it("builds from a Node LTS image that package.json's engines accept", () => {
    const [declaration] = args(CONTAINERFILE.getInstructions().find((instruction) => instruction.getKeyword() === "ARG") as Instruction);
    const major = Number(/^NODE_IMAGE=docker\.io\/library\/node:(\d+)-/.exec(declaration ?? "")?.[1]);
    expect(major % 2).toBe(0);
    const engines = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    expect(engines).toContain(`^${major}.`);
    expect(CONTAINERFILE.getFROMs().map((from) => from.getImageName())).toEqual(["${NODE_IMAGE}", "${NODE_IMAGE}"]);
  });

  it("copies into the build only files of the repository that the ignore file lets through", () => {
    const ignored = readFileSync(path.join(REPO, ".dockerignore"), "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", "**/dist", "**/*.tsbuildinfo", ".flowzone"]));
    const sources = copies(stage("build")).flatMap((copy) => copy.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect([source, existsSync(path.join(REPO, source))]).toEqual([source, true]);
      expect(ignored).not.toContain(source.replace(/\/$/, ""));
    }
  });

  it("installs with npm ci and compiles every workspace the CLI runs", () => {
    const runs = keyword(stage("build"), "RUN").map((instruction) => args(instruction).join(" "));
    expect(runs.some((run) => run.startsWith("npm ci"))).toBe(true);
    const build = runs.find((run) => run.includes("npx tsc -b services/cli"));
    expect(build).toContain("npm prune --omit=dev");
    const sources = copies(stage("build")).flatMap((copy) => copy.sources);
    const compiled = builtBy("services/cli");
    // A workspace outside the CLI's project references (the console, a Vite build) is built by its own script.
    const builtByScript = (folder: string) => build?.includes(`npm run build -w ${(JSON.parse(readFileSync(path.join(REPO, folder, "package.json"), "utf8")) as { name: string }).name}`) === true;
    for (const folder of cliWorkspaceFolders()) {
      expect([folder, covers(sources, folder)]).toEqual([folder, true]);
      if (existsSync(path.join(REPO, folder, "tsconfig.json"))) expect([folder, compiled.has(folder) || builtByScript(folder)]).toEqual([folder, true]);
    }
  });

  it("copies into the runtime the production dependencies and every workspace the CLI runs, from the build", () => {
    const runtimeCopies = copies(stage("runtime"));
    expect(runtimeCopies.every((copy) => copy.from === "build")).toBe(true);
    const buildRoot = `${workdir(stage("build"))}/`;
    const sources = runtimeCopies.flatMap((copy) => copy.sources).map((source) => {
      expect(source.startsWith(buildRoot)).toBe(true);
      return source.slice(buildRoot.length);
    });
    for (const needed of ["package.json", "node_modules", ...cliWorkspaceFolders(), "services/control/openapi.json"]) {
      expect([needed, covers(sources, needed)]).toEqual([needed, true]);
    }
  });

  it("runs the flowzone CLI as a numeric non-root user, from a working directory that user owns", () => {
    const runtime = stage("runtime");
    const [user] = args(keyword(runtime, "USER").at(-1) as Instruction);
    const [uid, gid] = (user ?? "").split(":").map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    const chown = keyword(runtime, "RUN").map((instruction) => args(instruction).join(" ")).find((run) => run.includes("chown"));
    expect(chown).toContain(`chown -R ${String(uid)}:${String(gid)} ${workdir(runtime)}`);

    const entrypoint = CONTAINERFILE.getENTRYPOINTs()[0]?.getJSONStrings().map((part) => part.getJSONValue());
    expect(entrypoint?.[0]).toBe("node");
    const cli = workspaces().get("@flowzone/cli");
    const bin = path.join(cli?.folder ?? "", cli?.manifest.bin?.flowzone ?? "");
    // The runtime stage copies the workspaces under its first WORKDIR.
    expect(entrypoint?.[1]).toBe(`${args(keyword(runtime, "WORKDIR")[0] as Instruction)[0] ?? ""}/${bin}`);
    expect(existsSync(path.join(REPO, bin))).toBe(true);
  });
});
