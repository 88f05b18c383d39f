/**
 * The data classification (schemas/classification.ts; 004 第九、十条) stays complete and its table current:
 * the committed docs/data-classification.md is the generated one, every table of the topology is declared,
 * every field of every filing input schema has a class, and a record takes the stricter class of its fields.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CLASSIFICATION, classificationMarkdown, classificationRows, FILING_CONTENT_FIELDS, filingInputFieldPaths, recordClassOf } from '../../../schemas/classification';
import { tables } from '../../../infra/topology';

const root = resolve(import.meta.dirname, '../../..');

describe('data classification', () => {
  it('the committed table is the generated one (run `npm run docs:classification` after a change)', () => {
    expect(readFileSync(resolve(root, 'docs/data-classification.md'), 'utf8')).toBe(classificationMarkdown());
  });

  it('declares every table of the topology, each with at least one item kind of at least one field', () => {
    expect(Object.keys(CLASSIFICATION).sort()).toEqual(Object.keys(tables).sort());
    for (const items of Object.values(CLASSIFICATION)) {
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(Object.keys(item.fields).length).toBeGreaterThan(0);
    }
  });

  it('classifies every field of every filing input schema, and nothing that is not one (but the sealed index)', () => {
    const inputs = filingInputFieldPaths();
    expect(inputs.length).toBeGreaterThan(20);
    expect(inputs.filter((path) => !(path in FILING_CONTENT_FIELDS))).toEqual([]);
    const declared = Object.keys(FILING_CONTENT_FIELDS).filter((path) => !path.endsWith('.idIndex'));
    expect(declared.filter((path) => !inputs.includes(path))).toEqual([]);
    // The filing item carries them under `content.`.
    const filing = CLASSIFICATION.filings.find((item) => item.item === 'filing')!;
    for (const path of inputs) expect(filing.fields[`content.${path}`]).toEqual(FILING_CONTENT_FIELDS[path]);
  });

  it('a new field in a filing input schema without a class is caught', () => {
    // A business type's schema grown by a nested, optional field in an array element: the walker finds it unclassified.
    const grown = z.strictObject({ unitCode: z.string(), buyers: z.array(z.strictObject({ name: z.string(), email: z.string().optional() })).min(1) });
    expect(filingInputFieldPaths([grown]).filter((path) => !(path in FILING_CONTENT_FIELDS))).toEqual(['buyers[].email']);
  });

  it("holds the parties' personal information IMPORTANT, and a record takes the stricter class of its fields", () => {
    for (const list of ['mortgagors', 'buyers', 'sellers']) {
      for (const field of ['name', 'idNumber', 'phone', 'idIndex']) expect(FILING_CONTENT_FIELDS[`${list}[].${field}`]?.class).toBe('IMPORTANT');
    }
    expect(recordClassOf({ item: 'x', fields: { a: { class: 'GENERAL' }, b: { class: 'IMPORTANT', why: 'w' } } })).toBe('IMPORTANT');
    expect(recordClassOf({ item: 'x', fields: { a: { class: 'CORE', why: 'w' }, b: { class: 'IMPORTANT', why: 'w' } } })).toBe('CORE');
    expect(recordClassOf({ item: 'x', fields: { a: { class: 'GENERAL' } } })).toBe('GENERAL');
    const rows = classificationRows();
    expect(rows.find((r) => r.table === 'filings' && r.item === 'filing')?.recordClass).toBe('IMPORTANT');
    expect(rows.find((r) => r.table === 'audit')?.recordClass).toBe('GENERAL');
  });

  it('gives a reason for every field that is not GENERAL', () => {
    for (const items of Object.values(CLASSIFICATION)) {
      for (const item of items) for (const [field, cls] of Object.entries(item.fields)) if (cls.class !== 'GENERAL') expect(cls.why, field).toBeTruthy();
    }
  });
});
