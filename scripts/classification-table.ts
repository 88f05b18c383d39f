/** Writes docs/data-classification.md from schemas/classification.ts (`npm run docs:classification`). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { classificationMarkdown } from '../schemas/classification';

const target = resolve(import.meta.dirname, '../docs/data-classification.md');
writeFileSync(target, classificationMarkdown());
console.log(`Wrote ${target}`);
