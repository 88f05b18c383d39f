/** The date range and granularity of the statistics pages (CST days; the last 30 by default). */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Granularity } from '../../../functions/core/domain/statistics';
import { t } from '../messages.zh-CN';
import { addDays, cstDay, Field } from '../ui';

export interface Range {
  readonly from: string;
  readonly to: string;
  readonly granularity: Granularity;
}

export const defaultRange = (): Range => ({ from: addDays(cstDay(), -29), to: cstDay(), granularity: 'day' });

export function RangeForm({ value, onApply, children }: { value: Range; onApply: (range: Range) => void; children?: ComponentChildren }) {
  const [draft, setDraft] = useState(value);
  return (
    <form
      class="filters"
      aria-label={t.range.apply}
      onSubmit={(event) => {
        event.preventDefault();
        onApply(draft);
      }}
    >
      <Field label={t.range.from}>{(id) => <input id={id} name="from" type="date" required value={draft.from} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />}</Field>
      <Field label={t.range.to}>{(id) => <input id={id} name="to" type="date" required value={draft.to} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />}</Field>
      <Field label={t.range.granularity}>
        {(id) => (
          <select id={id} name="granularity" value={draft.granularity} onChange={(e) => setDraft({ ...draft, granularity: e.currentTarget.value as Granularity })}>
            {(Object.keys(t.granularities) as Granularity[]).map((g) => (
              <option key={g} value={g}>
                {t.granularities[g]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {children}
      <button type="submit">{t.range.apply}</button>
    </form>
  );
}
