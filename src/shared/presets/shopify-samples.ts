// Sample Shopify webhook bodies, one per topic the Shopify Streaming source is subscribed to. Shopify names the
// topic in the X-Shopify-Topic header only; the body is the resource itself. The orders/create body keeps the
// fields of the order in AEP's Shopify Streaming tutorial (sources/tutorials/api/create/ecommerce/shopify-streaming.md,
// the inlet message's `body`); checkouts/create and customers/create follow Shopify's Admin REST resources
// (Checkout, Customer) for the fields mapped here. Values are realistic, trimmed to what the preset maps plus a few.

export interface ShopifyCustomerRef {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
}

export interface ShopifyOrder {
  id: number;
  admin_graphql_api_id: string;
  email: string;
  name: string;
  order_number: number;
  created_at: string;
  updated_at: string;
  currency: string;
  total_price: string;
  subtotal_price: string;
  total_tax: string;
  financial_status: string;
  checkout_token: string;
  customer: ShopifyCustomerRef;
  line_items: Array<{ id: number; product_id: number; title: string; quantity: number; price: string }>;
}

export interface ShopifyCheckout {
  id: number;
  token: string;
  cart_token: string;
  email: string;
  created_at: string;
  updated_at: string;
  currency: string;
  total_price: string;
  subtotal_price: string;
  abandoned_checkout_url: string;
  customer: ShopifyCustomerRef;
  line_items: Array<{ product_id: number; title: string; quantity: number; price: string }>;
}

export interface ShopifyCustomer {
  id: number;
  admin_graphql_api_id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string;
  state: string;
  verified_email: boolean;
  orders_count: number;
  total_spent: string;
  currency: string;
  created_at: string;
  updated_at: string;
}

const customer: ShopifyCustomerRef = {
  id: 6940095564039,
  email: 'ravi@example.com',
  first_name: 'Ravi',
  last_name: 'Kumar',
};

export const orderCreated: ShopifyOrder = {
  id: 4135234371722,
  admin_graphql_api_id: 'gid://shopify/Order/4135234371722',
  email: customer.email,
  name: '#1005',
  order_number: 1005,
  created_at: '2022-07-22T00:36:48-04:00',
  updated_at: '2022-07-22T00:36:49-04:00',
  currency: 'INR',
  total_price: '47200.00',
  subtotal_price: '40000.00',
  total_tax: '7200.00',
  financial_status: 'paid',
  checkout_token: 'b143503216124d50141fe0832fa3f4b0',
  customer,
  line_items: [
    { id: 10630730743946, product_id: 4525859963018, title: 'Mobile Phones', quantity: 1, price: '40000.00' },
  ],
};

export const checkoutCreated: ShopifyCheckout = {
  id: 21706716217482,
  token: 'b143503216124d50141fe0832fa3f4b0',
  cart_token: 'Z2NwLXVzLWVhc3QxOjAxSEtQ',
  email: customer.email,
  created_at: '2022-07-22T00:31:02-04:00',
  updated_at: '2022-07-22T00:33:40-04:00',
  currency: 'INR',
  total_price: '47200.00',
  subtotal_price: '40000.00',
  abandoned_checkout_url: 'https://acme-store.myshopify.com/31913214090/checkouts/b1435032/recover?key=5ad1',
  customer,
  line_items: [{ product_id: 4525859963018, title: 'Mobile Phones', quantity: 1, price: '40000.00' }],
};

export const customerCreated: ShopifyCustomer = {
  id: customer.id,
  admin_graphql_api_id: `gid://shopify/Customer/${customer.id}`,
  email: customer.email,
  first_name: customer.first_name,
  last_name: customer.last_name,
  phone: '+919812345678',
  state: 'enabled',
  verified_email: true,
  orders_count: 0,
  total_spent: '0.00',
  currency: 'INR',
  created_at: '2022-07-22T00:30:11-04:00',
  updated_at: '2022-07-22T00:30:11-04:00',
};

export const shopifySamples = { orderCreated, checkoutCreated, customerCreated };

export type ShopifySampleName = keyof typeof shopifySamples;
