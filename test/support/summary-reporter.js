// Prints the ten slowest test files and jest's counts as the plain closing line CI reads
// ("N passed, N failed"), and keeps a copy of the counts in .flowzone/ so .ci/run can tell when
// jest never ran.
const fs = require("node:fs");
const path = require("node:path");

const SLOWEST = 10;

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const root = path.join(__dirname, "..", "..");
    const files = results.testResults
      // A file of both integration projects runs twice: the project tells the runs apart.
      .map((file) => ({ file: `${path.relative(root, file.testFilePath)} (${file.displayName?.name ?? "?"})`, ms: file.perfStats.end - file.perfStats.start }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SLOWEST);
    const totalS = ((Date.now() - results.startTime) / 1000).toFixed(0);
    const slowest = files.map(({ file, ms }) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`).join("\n");
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    const dir = path.join(root, ".flowzone");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "jest-summary.txt"), `${line}\n`);
    process.stdout.write(`\nslowest test files (jest ran ${totalS} s in all):\n${slowest}\n\n${line}\n`);
  }
}

module.exports = SummaryReporter;
