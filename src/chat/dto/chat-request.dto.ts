import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsString,
  Matches,
  MinLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  ValidateIf,
} from 'class-validator';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { MODEL_CATALOG } from '../../agent/agent.constants';
import type { ModelCatalog } from '../../agent/models/model-catalog';
import { AppConfigService } from '../../config/app-config.service';
import { isThreadOfUser, USER_ID_PATTERN } from '../thread-id';

const DEFAULT_MAX_QUESTION_CHARS = 8000;

/** May be left out, but not sent as null: `thread_id: null` from a lost variable would fork the conversation. */
const Omittable = () => ValidateIf((_object, value) => value !== undefined);

/** Characters as people count them: an emoji or a rare CJK character is one, not two UTF-16 units. */
const characters = (text: string) => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

/** Length limit of `question`, read from `CHAT_MAX_QUESTION_CHARS` through the Nest container. */
@Injectable()
@ValidatorConstraint({ name: 'questionLength' })
export class QuestionLengthRule implements ValidatorConstraintInterface {
  constructor(private readonly config?: AppConfigService) {}

  private get max(): number {
    return this.config?.get('CHAT_MAX_QUESTION_CHARS') ?? DEFAULT_MAX_QUESTION_CHARS;
  }

  validate(value: unknown): boolean {
    return typeof value === 'string' && (value.length <= this.max || characters(value) <= this.max);
  }

  defaultMessage(): string {
    return `question must be at most ${this.max} characters`;
  }
}

/** `model` must be one of the catalog's names (LLM_MODEL and LLM_MODELS). */
@Injectable()
@ValidatorConstraint({ name: 'allowedModel' })
export class AllowedModelRule implements ValidatorConstraintInterface {
  constructor(@Optional() @Inject(MODEL_CATALOG) private readonly catalog?: ModelCatalog) {}

  validate(value: unknown): boolean {
    return typeof value === 'string' && (this.catalog?.has(value) ?? false);
  }

  defaultMessage(): string {
    return `model must be one of: ${this.catalog?.names.join(', ') ?? '(no models configured)'}`;
  }
}

@ValidatorConstraint({ name: 'threadOfUser' })
class ThreadOfUserRule implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const userId = (args.object as { user_id?: unknown }).user_id;
    return typeof value === 'string' && typeof userId === 'string' && isThreadOfUser(value, userId);
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be "<user_id>:<suffix>" with this request's user_id and a suffix of 1-64 characters from [A-Za-z0-9_-]`;
  }
}

export class ChatRequestDto {
  @ApiProperty({
    description: 'The end user the conversation belongs to: 1-64 characters from [A-Za-z0-9_.@-].',
    example: 'polo',
    pattern: USER_ID_PATTERN.source,
  })
  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'user_id must be 1-64 characters from [A-Za-z0-9_.@-]' })
  user_id: string;

  @ApiProperty({
    description: 'The question, in any language; 1 to CHAT_MAX_QUESTION_CHARS (default 8000) characters, not blank.',
    example: '请问下一届足球世界杯在哪里举行?',
    minLength: 1,
    maxLength: DEFAULT_MAX_QUESTION_CHARS,
  })
  @IsString()
  @MinLength(1)
  // Blank includes invisible format characters (zero-width spaces, joiners, BOM).
  @Matches(/[^\s\p{Cf}]/u, { message: 'question must not be blank' })
  @Validate(QuestionLengthRule)
  question: string;

  @ApiPropertyOptional({
    description: 'Continue this conversation: "<user_id>:<suffix>". Omit to start a new one.',
    example: 'polo:20261124141530123042',
  })
  @Omittable()
  @IsString()
  @Validate(ThreadOfUserRule)
  thread_id?: string;

  @ApiPropertyOptional({
    description: 'Alias of thread_id, accepted for clients of the service this one replaces; thread_id wins when both are sent.',
    example: 'polo:20261124141530123042',
  })
  @Omittable()
  @IsString()
  @Validate(ThreadOfUserRule)
  conversation_id?: string;

  @ApiPropertyOptional({
    description: 'Which configured model answers (see GET /api/models); the default model when omitted.',
    example: 'qwen-plus',
  })
  @Omittable()
  @IsString()
  @Validate(AllowedModelRule)
  model?: string;
}
