import type { Knex } from 'knex';

/**
 * Payment orders and their audit trail.
 *
 * An order is settled once: a conditional `pending → paid` update and a ledger row keyed `order:<id>:paid`, in one
 * transaction. `late_paid_at` marks a success the provider reported for an order we had already closed: it is
 * recorded and raised to ops, never credited by the code (money moved; a person decides between refund and credit).
 *
 * `payment_order_events` keeps every notification (verified or refused) and every answer of a provider call, as
 * received after verification, for disputes and audits. It is append-only, like the ledger.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`CREATE TYPE payment_provider AS ENUM ('wechat', 'alipay', 'sandbox')`);
  await db.raw(`CREATE TYPE payment_order_status AS ENUM ('pending', 'paid', 'closed', 'failed')`);

  await db.schema.createTable('payment_orders', (t) => {
    t.uuid('id').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('package_id').notNullable().references('credit_packages.id');
    t.specificType('provider', 'payment_provider').notNullable();
    // Sent to the provider; both providers accept [0-9A-Za-z_]{6,32}.
    t.text('out_trade_no').notNullable().unique();
    t.integer('credits').notNullable();
    t.integer('amount_fen').notNullable();
    t.text('currency').notNullable().defaultTo('CNY');
    t.specificType('status', 'payment_order_status').notNullable().defaultTo('pending');
    t.text('provider_trade_no');
    t.text('qr_code');
    t.text('pay_url');
    t.text('request_id');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('closed_at', { useTz: true });
    t.timestamp('late_paid_at', { useTz: true });
    t.text('late_provider_trade_no');
    t.timestamp('last_reconciled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.check('credits > 0', [], 'payment_orders_credits_positive');
    t.check('amount_fen > 0', [], 'payment_orders_amount_positive');
    t.check(`out_trade_no ~ '^[0-9A-Za-z_]{6,32}$'`, [], 'payment_orders_out_trade_no_format');
    t.check(`(status = 'paid') = (paid_at IS NOT NULL)`, [], 'payment_orders_paid_at_iff_paid');
  });
  // History (newest first), and the reconciliation and expiry scans of pending orders only.
  await db.raw(`CREATE INDEX payment_orders_user_history ON payment_orders (user_id, created_at DESC, id DESC)`);
  await db.raw(`CREATE INDEX payment_orders_pending_created ON payment_orders (created_at) WHERE status = 'pending'`);
  await db.raw(`CREATE INDEX payment_orders_pending_expiry ON payment_orders (expires_at) WHERE status = 'pending'`);
  // One provider trade pays one order.
  await db.raw(`CREATE UNIQUE INDEX payment_orders_provider_trade ON payment_orders (provider, provider_trade_no) WHERE provider_trade_no IS NOT NULL`);

  await db.schema.createTable('payment_order_events', (t) => {
    t.bigIncrements('id');
    // Null for a notification that names no order of ours (forged, or another merchant's).
    t.uuid('order_id').references('payment_orders.id').onDelete('CASCADE');
    t.specificType('provider', 'payment_provider').notNullable();
    t.text('out_trade_no');
    // create | query | close | notification | settle
    t.text('kind').notNullable();
    // What came of it: created, paid, pending, closed, refused:<reason>, settled, late_success, ...
    t.text('outcome').notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.text('request_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.index(['order_id', 'id']);
    t.index(['out_trade_no']);
  });
  await db.raw(`
    CREATE FUNCTION payment_order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'payment_order_events is append-only'; END $$;
    CREATE TRIGGER payment_order_events_append_only BEFORE UPDATE ON payment_order_events
      FOR EACH ROW EXECUTE FUNCTION payment_order_events_append_only();
  `);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('payment_order_events');
  await db.raw('DROP FUNCTION IF EXISTS payment_order_events_append_only()');
  await db.schema.dropTableIfExists('payment_orders');
  await db.raw('DROP TYPE IF EXISTS payment_order_status');
  await db.raw('DROP TYPE IF EXISTS payment_provider');
}
