/**
 * The incidents board (003 第十八条): each incident with its 1-hour report deadline (from detection) and its
 * 6-hour result deadline (from the end of handling) counting down, overdue ones flagged; the steps recorded.
 */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { incidentListSchema } from '../../../schemas/v1/incident';
import type { PageProps } from '../app';
import { incidentTypes, t } from '../messages.zh-CN';
import { ActionForm, cstTime, duration, Field, Resource, useNow, useResource } from '../ui';

type IncidentList = z.output<typeof incidentListSchema>;
type Incident = IncidentList['items'][number];

function Deadline({ label, due, doneAt, now, testId }: { label: string; due?: string; doneAt?: string; now: number; testId: string }) {
  if (due === undefined)
    return (
      <div class="deadline" data-testid={testId} data-state="pending">
        <span>{label}</span> <span class="muted">{t.incidents.notStarted}</span>
      </div>
    );
  if (doneAt !== undefined)
    return (
      <div class="deadline done" data-testid={testId} data-state="done">
        <span>{label}</span> <span>{t.incidents.done(cstTime(doneAt))}</span>
      </div>
    );
  const left = Date.parse(due) - now;
  return (
    <div class={`deadline ${left < 0 ? 'overdue' : left < 15 * 60_000 ? 'soon' : ''}`} data-testid={testId} data-state={left < 0 ? 'overdue' : 'running'} data-due={due}>
      <span>{label}</span> <time dateTime={due}>{cstTime(due)}</time>{' '}
      <strong role="timer" aria-live="off">
        {left < 0 ? t.incidents.overdueBy(duration(left)) : t.incidents.remaining(duration(left))}
      </strong>
    </div>
  );
}

function IncidentCard({ incident, now, api, onDone, can }: { incident: Incident; now: number; onDone: () => void } & Pick<PageProps, 'api' | 'can'>) {
  const [note, setNote] = useState('');
  const next = incident.status === 'CLOSED' ? undefined : !incident.reportedAt ? 'REPORT' : !incident.handledAt ? 'END_HANDLING' : 'REPORT_RESULT';
  return (
    <article class={`card incident ${incident.overdue?.length ? 'overdue' : ''}`} data-incident={incident.incidentId}>
      <h3>
        {incidentTypes[incident.type]} · {t.incidents.severities[incident.severity]} · {t.incidents.statuses[incident.status]}
        {incident.overdue?.length ? <span class="flag">{t.incidents.escalated}</span> : null}
      </h3>
      <p>{incident.summary}</p>
      <p class="muted">
        {incident.incidentId} · {t.incidents.detectedAt} {cstTime(incident.detectedAt)} · {incident.district}
      </p>
      <Deadline label={t.incidents.reportDue} due={incident.reportDueAt} doneAt={incident.reportedAt} now={now} testId="report-deadline" />
      <Deadline label={t.incidents.resultDue} due={incident.resultDueAt} doneAt={incident.closedAt} now={now} testId="result-deadline" />
      {incident.steps && (
        <ol class="steps">
          {incident.steps.map((s) => (
            <li key={`${s.action}${s.at}`}>
              {cstTime(s.at)} {t.incidents.actions[s.action]}（{s.by}）：{s.note}
            </li>
          ))}
        </ol>
      )}
      {next && can('postIncidentAction') && (
        <ActionForm
          label={t.incidents.actions[next]}
          submitLabel={t.incidents.actions[next]}
          action={async () => {
            await api.post(`/v1/staff/incidents/${encodeURIComponent(incident.incidentId)}/actions`, { action: next, note });
            onDone();
            return t.credit.done;
          }}
        >
          <Field label={t.incidents.note}>{(id) => <textarea id={id} required maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}</Field>
        </ActionForm>
      )}
    </article>
  );
}

export function IncidentsPage({ api, can }: PageProps) {
  const list = useResource(() => api.get<IncidentList>('/v1/staff/incidents', { limit: 100 }), []);
  const now = useNow(1000);
  return (
    <section aria-labelledby="incidents-title">
      <h2 id="incidents-title">{t.incidents.title}</h2>
      <p class="muted">{t.incidents.intro}</p>
      <button type="button" onClick={list.reload}>
        {t.refresh}
      </button>
      <Resource resource={list}>
        {(data) => (
          <div class="board" data-testid="incident-board">
            {data.items.length === 0 && <p class="muted">{t.empty}</p>}
            {data.items.map((incident) => (
              <IncidentCard key={incident.incidentId} incident={incident} now={now} api={api} can={can} onDone={list.reload} />
            ))}
          </div>
        )}
      </Resource>
    </section>
  );
}
