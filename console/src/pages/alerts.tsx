/** Misuse alerts and locked accounts (004 第二十五条): what fired, for whom, and, for administrators, unlocking. */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { misuseAlertListSchema } from '../../../schemas/v1/misuse';
import type { PageProps } from '../app';
import { t } from '../messages.zh-CN';
import { ActionForm, cstTime, Field, Resource, Table, useResource } from '../ui';

type AlertList = z.output<typeof misuseAlertListSchema>;

export function AlertsPage({ api, can }: PageProps) {
  const list = useResource(() => api.get<AlertList>('/v1/staff/security/alerts', { limit: 100 }), []);
  const [unlock, setUnlock] = useState({ staffId: '', reason: '' });
  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">{t.alerts.title}</h2>
      <p class="muted">{t.alerts.intro}</p>
      <Resource resource={list}>
        {(data) => (
          <Table
            caption={t.alerts.title}
            testId="alerts-table"
            rows={data.items}
            rowKey={(a) => a.alertId}
            columns={[
              { key: 'at', label: t.audit.at, cell: (a) => cstTime(a.at) },
              { key: 'rule', label: t.alerts.rule, cell: (a) => t.alerts.rules[a.rule] },
              { key: 'staff', label: t.alerts.staff, cell: (a) => `${a.staffId}（${t.alerts.locked}）` },
              { key: 'count', label: t.alerts.count, numeric: true, cell: (a) => `${a.count} / ${a.threshold}` },
              { key: 'endpoint', label: t.alerts.endpoint, cell: (a) => a.endpoint },
              { key: 'incident', label: t.incidents.title, cell: (a) => a.incidentId ?? '—' },
            ]}
          />
        )}
      </Resource>
      {can('unlockStaff') && (
        <ActionForm
          label={t.alerts.unlock}
          submitLabel={t.alerts.unlock}
          action={async () => {
            await api.post(`/v1/staff/accounts/${encodeURIComponent(unlock.staffId.trim())}/unlock`, { reason: unlock.reason });
            list.reload();
            return t.alerts.unlocked;
          }}
        >
          <Field label={t.alerts.staff}>{(id) => <input id={id} required value={unlock.staffId} onInput={(e) => setUnlock({ ...unlock, staffId: e.currentTarget.value })} />}</Field>
          <Field label={t.alerts.unlockReason}>{(id) => <textarea id={id} required minLength={4} maxLength={500} value={unlock.reason} onInput={(e) => setUnlock({ ...unlock, reason: e.currentTarget.value })} />}</Field>
        </ActionForm>
      )}
    </section>
  );
}
