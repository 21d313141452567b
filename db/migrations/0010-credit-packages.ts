import type { Knex } from 'knex';

/**
 * What users can buy. Prices are integer fen (1 CNY = 100 fen). The three packages are seeded here rather than by
 * the catalog seed: an order keeps its own copy of credits and price, so a package changed later never rewrites
 * what was sold; disabling one (`enabled = false`) takes it off the Credits page.
 */
const SEEDED = [
  { id: 'credits-60', credits: 60, price_fen: 600, name_en: '60 credits', name_zh: '60 积分', sort_order: 1 },
  { id: 'credits-300', credits: 300, price_fen: 2800, name_en: '300 credits', name_zh: '300 积分', sort_order: 2 },
  { id: 'credits-1000', credits: 1000, price_fen: 8800, name_en: '1000 credits', name_zh: '1000 积分', sort_order: 3 },
];

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('credit_packages', (t) => {
    t.text('id').primary();
    t.integer('credits').notNullable();
    t.integer('price_fen').notNullable();
    t.text('name_en').notNullable();
    t.text('name_zh').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('sort_order').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.check('credits > 0', [], 'credit_packages_credits_positive');
    // 10 million yuan: the largest amount the payment code converts (core/payments/money.ts MAX_FEN).
    t.check('price_fen > 0 AND price_fen <= 1000000000', [], 'credit_packages_price_in_range');
  });
  await db('credit_packages').insert(SEEDED);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('credit_packages');
}
