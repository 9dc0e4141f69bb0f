// Reads a GIFT file with gift-pegjs (the outside parser) and prints what it found as JSON.
// Usage: node tests/js/parse_gift.js FILE
"use strict";
const fs = require("fs");
const { parse } = require("gift-pegjs");

const text = fs.readFileSync(process.argv[2], "utf8");
process.stdout.write(JSON.stringify(parse(text)));
