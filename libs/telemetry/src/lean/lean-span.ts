import { SpanStatusCode, type Attributes, type AttributeValue, type Exception, type HrTime, type Link, type Span, type SpanContext, type SpanKind, type SpanStatus, type TimeInput } from "@opentelemetry/api";
import { isAttributeValue, sanitizeAttributes, type InstrumentationScope } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, SpanProcessor, TimedEvent } from "@opentelemetry/sdk-trace-node";
import { spanTime } from "./span-clock.js";
import type { SpanLimits } from "./span-limits.js";

/** What a lean span is made of besides its name and options; shared by the spans of one tracer. */
export interface LeanSpanSetting {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly processor: SpanProcessor;
  readonly limits: SpanLimits;
}

/**
 * A recording span, as the SDK's with its rules (limits, status, one end), with only the fields the OTLP
 * encoder reads (encode-otlp-span.ts): plain properties, no clock anchor or duration kept, no processor
 * called at its start. At its end it goes to the processor, which encodes it at once.
 */
export class LeanSpan implements Span {
  readonly attributes: Attributes = {};
  readonly events: TimedEvent[] = [];
  readonly links: Link[] = [];
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  ended = false;
  private attributeCount = 0;

  constructor(
    private readonly context: SpanContext,
    public name: string,
    readonly kind: SpanKind,
    readonly parentSpanContext: SpanContext | undefined,
    private readonly setting: LeanSpanSetting,
    attributes: Attributes | undefined,
    links: Link[] | undefined,
    startTime: TimeInput | undefined,
  ) {
    this.startTime = spanTime(startTime);
    if (attributes !== undefined) this.setAttributes(attributes);
    if (links !== undefined) this.addLinks(links);
  }

  get resource(): Resource {
    return this.setting.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.setting.instrumentationScope;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended || value === undefined || value === null || key.length === 0 || !isAttributeValue(value)) return this;
    const isNew = !Object.prototype.hasOwnProperty.call(this.attributes, key);
    if (isNew && this.attributeCount >= this.setting.limits.attributeCount) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = this.bounded(value);
    if (isNew) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      const value = attributes[key];
      if (value !== undefined) this.setAttribute(key, value);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    if (this.events.length >= this.setting.limits.eventCount) {
      this.droppedEventsCount++;
      return this;
    }
    const attributesGiven = typeof attributesOrTime === "object" && !Array.isArray(attributesOrTime) && !(attributesOrTime instanceof Date);
    this.events.push({
      name,
      time: spanTime(attributesGiven ? time : (attributesOrTime as TimeInput | undefined)),
      attributes: attributesGiven ? sanitizeAttributes(attributesOrTime) : {},
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links.length >= this.setting.limits.linkCount) {
      this.droppedLinksCount++;
      return this;
    }
    this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  /** As the SDK: UNSET changes nothing, OK is final, and only ERROR keeps a message. */
  setStatus(status: SpanStatus): this {
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === "string" ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.endTime = spanTime(endTime);
    this.ended = true;
    this.setting.processor.onEnd(this as unknown as ReadableSpan);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  /** An `exception` event with the exception's type, message and stack, as the SDK records it. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === "string") attributes["exception.message"] = exception;
    else {
      const type = exception.code !== undefined ? String(exception.code) : exception.name;
      if (type) attributes["exception.type"] = type;
      if (exception.message) attributes["exception.message"] = exception.message;
      if (exception.stack) attributes["exception.stacktrace"] = exception.stack;
    }
    if (attributes["exception.type"] !== undefined || attributes["exception.message"] !== undefined) this.addEvent("exception", attributes, time);
  }

  /** Arrays are copied (the caller may change its own); strings longer than the limit are cut. */
  private bounded(value: AttributeValue): AttributeValue {
    const limit = this.setting.limits.attributeValueLength;
    if (typeof value === "string") return value.length > limit ? value.slice(0, limit) : value;
    if (!Array.isArray(value)) return value;
    return (limit === Number.POSITIVE_INFINITY ? value.slice() : value.map((item: unknown) => (typeof item === "string" && item.length > limit ? item.slice(0, limit) : item))) as AttributeValue;
  }
}
