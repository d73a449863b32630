#!/usr/bin/env node
// The compiled CLI lives in dist/, which `npm ci` and `npm install` build through the
// `prepare` script.
import "../dist/cli.js";
