import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import { Email, Phone, strictObject, Uuid } from '#ledger-domain/shared/codecs';
import { BodyFrom, ParamsFrom, QueryFrom } from '../docs/from-codec';
import { IDEMPOTENCY_HEADER, respond } from '../http/accepted';
import { commandContextFor } from '../http/command-context.factory';
import { decodeOrThrow, orThrow } from '../http/decode';
import { ProblemException, toProblem } from '../http/problem';
import { CLOCK, CustomerStreams, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { Reservations } from '../ledger/reservations';
import { accountStream } from '#runtime/streams';
import { customerView, isEnrolled, type CustomerView } from './customer-view';
import { EnrolCustomerBodyC, EnrolCustomerCommand } from './enrol-customer.handler';

export const LookupQueryC = strictObject('customer look-up', {}, { email: Email, phone: Phone });
const CustomerIdC = t.type({ customerId: Uuid });

@ApiTags('customers')
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
    @Inject(Reservations) private readonly reservations: Reservations,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Enrol a customer with e-mail and/or phone (each unique across customers)' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @BodyFrom(EnrolCustomerBodyC)
  @ApiResponse({ status: 201, description: 'The enrolled customer' })
  @ApiResponse({ status: 409, description: 'E-mail or phone already in use' })
  async enrol(@Req() request: FastifyRequest, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const decoded = decodeOrThrow(EnrolCustomerBodyC, body);
    const context = commandContextFor(request, decoded, this.clock());
    return respond(reply, orThrow(await this.commandBus.execute(new EnrolCustomerCommand(decoded, context))));
  }

  @Get()
  @Access('operator', 'auditor')
  @ApiOperation({ summary: 'Find customers by e-mail or phone (exactly one; normalised the same way as at enrolment)' })
  @QueryFrom(LookupQueryC)
  async lookup(@Query() query: unknown): Promise<CustomerView[]> {
    const { email, phone } = decodeOrThrow(LookupQueryC, query);
    if ((email === undefined) === (phone === undefined)) {
      throw new ProblemException(toProblem({ _tag: 'InvalidInput', errors: [{ path: 'email', message: 'expected exactly one of email or phone' }] }));
    }
    const holder = email !== undefined ? await this.reservations.holder('email', email) : await this.reservations.holder('phone', phone!);
    if (holder === undefined) return [];
    const loaded = await this.customers.load(holder.ownerStream);
    if (!isEnrolled(loaded.state)) return [];
    // The reservation says who holds the value; the ledger must agree (guards an unfinished enrolment).
    const matches = email !== undefined ? loaded.state.email === email : loaded.state.phone === phone;
    return matches ? [customerView(loaded.state, loaded.position, await this.programs.current(), this.clock())] : [];
  }

  @Get(':customerId')
  @Access('operator', 'auditor')
  @ApiOperation({ summary: 'A customer with balances, lifetime totals, counts, tier standing and next expiry, from the ledger stream' })
  @ParamsFrom(CustomerIdC)
  @ApiResponse({ status: 404, description: 'Unknown customer' })
  async get(@Param() params: unknown): Promise<CustomerView> {
    const { customerId } = decodeOrThrow(CustomerIdC, params);
    const loaded = await this.customers.load(accountStream(customerId));
    if (!isEnrolled(loaded.state)) throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    return customerView(loaded.state, loaded.position, await this.programs.current(), this.clock());
  }
}
