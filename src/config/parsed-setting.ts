import { Transform } from 'class-transformer';
import { Validate, ValidatorConstraint, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';

/** What a structured variable became when it could not be parsed: the reason, for the validation message. */
class Unparsable {
  constructor(readonly reason: string) {}
}

@ValidatorConstraint({ name: 'parsedSetting' })
class ParsedSettingRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return !(value instanceof Unparsable);
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} ${(args.value as Unparsable).reason}`;
  }
}

/**
 * A variable holding structure (JSON, lists): `parse` turns the text into its typed value once, at
 * start-up; what it throws becomes the variable's validation message. Empty means unset, which
 * is `empty` for a variable with a default.
 */
export function ParsedSetting<T>(parse: (raw: string) => T, empty?: T): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }: { value: unknown }) => {
      if (value === undefined || value === '') return empty;
      if (typeof value !== 'string') return value;
      try {
        return parse(value);
      } catch (err) {
        return new Unparsable((err as Error).message);
      }
    })(target, key);
    Validate(ParsedSettingRule)(target, key as string);
  };
}
