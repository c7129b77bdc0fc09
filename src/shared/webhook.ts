// The URL a source posts its events to: the flow's streaming inlet, told which dataflow the events belong to.

/** `{inletUrl}?x-adobe-flow-id={flowId}`, the flow id encoded (and `&` when the inlet URL already has a query). */
export function webhookUrl(inletUrl: string, flowId: string): string {
  return `${inletUrl}${inletUrl.includes('?') ? '&' : '?'}x-adobe-flow-id=${encodeURIComponent(flowId)}`;
}
