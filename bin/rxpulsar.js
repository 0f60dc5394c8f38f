#!/usr/bin/env node
// The rxpulsar command line: runs the compiled CLI.
import { main } from '../dist/lib/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
