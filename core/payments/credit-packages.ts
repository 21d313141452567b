import type { Knex } from 'knex';

export interface CreditPackageView {
  id: string;
  credits: number;
  priceFen: number;
  name: { en: string; zh: string };
}

interface CreditPackageRow {
  id: string;
  enabled: boolean;
  credits: number;
  price_fen: number;
  name_en: string;
  name_zh: string;
}

const view = (row: CreditPackageRow): CreditPackageView => ({
  id: row.id,
  credits: row.credits,
  priceFen: row.price_fen,
  name: { en: row.name_en, zh: row.name_zh },
});

export async function listCreditPackages(db: Knex): Promise<CreditPackageView[]> {
  const rows = await db<CreditPackageRow>('credit_packages').where('enabled', true).orderBy(['sort_order', 'id']);
  return rows.map(view);
}

/** An enabled package, or undefined. */
export async function findCreditPackage(db: Knex, id: string): Promise<CreditPackageView | undefined> {
  const row = await db<CreditPackageRow>('credit_packages').where({ id, enabled: true }).first();
  return row && view(row);
}
