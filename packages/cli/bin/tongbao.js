#!/usr/bin/env node
// Node ≥ 22.18 runs the TypeScript sources directly (type stripping), as long as they do not sit
// under node_modules: the workspace links this package, so they do not.
await import("../src/main.ts");
