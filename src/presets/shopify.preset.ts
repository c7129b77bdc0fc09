// Shopify Streaming (beta), as data: the orders/create, checkouts/create and customers/create webhook topics
// (samples: src/shared/presets/shopify-samples.ts). The topic travels in a header, not the body: `_id` is a fresh
// uuid() (the body's `id` is the order's, checkout's or customer's, not the event's) and `timestamp` the resource's
// `updated_at`, which every topic sends as RFC 3339.
import {
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../shared/aep-constants';
import { shopifySamples } from '../shared/presets/shopify-samples';
import type { SourcePresetInput } from '../shared/preset-schema';
import { attributes, eventIdAndTime, integer, number, object, text, when } from './preset-kit';

const NS = '_{TENANT}.shopify';

const preset: SourcePresetInput = {
  id: 'shopify',
  displayName: 'Shopify Streaming',
  connectionSpec: { id: SHOPIFY_STREAMING_CONNECTION_SPEC_ID, version: '1.0' },
  providerId: STREAMING_PROVIDER_ID,
  flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
  dataFormat: 'json',
  schemaClass: EXPERIENCE_EVENT_CLASS,
  fieldGroup: {
    key: 'shopify',
    title: 'Shopify webhook events',
    description: 'Fields of Shopify order, checkout and customer webhooks',
    fields: {
      id: text('Resource ID (order, checkout or customer)'),
      email: text('E-mail'),
      createdAt: when('Created at'),
      updatedAt: when('Updated at'),
      currency: text('Currency'),
      totalPrice: number('Total price'),
      subtotalPrice: number('Subtotal price'),
      order: object('Order', {
        name: text('Order name'),
        number: integer('Order number'),
        financialStatus: text('Financial status'),
        totalTax: number('Total tax'),
        checkoutToken: text('Checkout token'),
      }),
      checkout: object('Checkout', {
        token: text('Checkout token'),
        cartToken: text('Cart token'),
        abandonedCheckoutUrl: text('Abandoned checkout URL'),
      }),
      customer: object('Customer', {
        id: text('Customer ID'),
        email: text('Customer e-mail'),
        firstName: text('First name'),
        lastName: text('Last name'),
      }),
      // customers/create sends the customer as the resource itself: its own fields, not an order's `customer`.
      account: object('Customer account', {
        firstName: text('First name'),
        lastName: text('Last name'),
        phone: text('Phone'),
        state: text('Account state'),
        verifiedEmail: { type: 'boolean', title: 'E-mail verified' },
        ordersCount: integer('Orders count'),
        totalSpent: number('Total spent'),
      }),
    },
    required: ['id'],
  },
  mappings: [
    ...eventIdAndTime(undefined, 'updated_at'),
    ...attributes(NS, [
      'id',
      'email',
      ['created_at', 'createdAt'],
      ['updated_at', 'updatedAt'],
      'currency',
      ['total_price', 'totalPrice'],
      ['subtotal_price', 'subtotalPrice'],
      ['name', 'order.name'],
      ['order_number', 'order.number'],
      ['financial_status', 'order.financialStatus'],
      ['total_tax', 'order.totalTax'],
      ['checkout_token', 'order.checkoutToken'],
      ['token', 'checkout.token'],
      ['cart_token', 'checkout.cartToken'],
      ['abandoned_checkout_url', 'checkout.abandonedCheckoutUrl'],
      ['customer.id', 'customer.id'],
      ['customer.email', 'customer.email'],
      ['customer.first_name', 'customer.firstName'],
      ['customer.last_name', 'customer.lastName'],
      ['first_name', 'account.firstName'],
      ['last_name', 'account.lastName'],
      ['phone', 'account.phone'],
      ['state', 'account.state'],
      ['verified_email', 'account.verifiedEmail'],
      ['orders_count', 'account.ordersCount'],
      ['total_spent', 'account.totalSpent'],
    ]),
  ],
  // Every topic carries the buyer's e-mail at the top level.
  identity: { path: `${NS}.email`, namespace: 'Email' },
  samples: shopifySamples as unknown as Record<string, Record<string, unknown>>,
};

export default preset;
