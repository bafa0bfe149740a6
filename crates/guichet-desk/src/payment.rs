//! Payments: cash (tendered, change never negative), card through an external terminal, or
//! both. The plan is checked completely before the terminal is asked for anything.

use guichet_domain::Money;
use guichet_store::sales::{NewPayment, PaymentMethod};

use crate::error::{Error, Result};

/// What the customer hands over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tender {
    /// Amount to charge on the card (0: no card).
    pub card: Money,
    /// Cash handed over (0: no cash).
    pub cash_tendered: Money,
}

/// A checked payment plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlan {
    /// Card amount (0: none).
    pub card: Money,
    /// Cash kept for the order (0: none).
    pub cash_due: Money,
    /// Cash handed over.
    pub cash_tendered: Money,
    /// Change to give back.
    pub change: Money,
}

/// Checks a tender against a total.
pub fn plan(total: Money, tender: Tender, max_change: Money) -> Result<PaymentPlan> {
    for (what, amount) in [
        ("card amount", tender.card),
        ("cash tendered", tender.cash_tendered),
    ] {
        if amount < Money::ZERO {
            return Err(Error::NegativeAmount { what, amount });
        }
    }
    if tender.card > total {
        return Err(Error::CardOverTotal {
            card: tender.card,
            total,
        });
    }
    let cash_due = total - tender.card;
    if cash_due == Money::ZERO && tender.cash_tendered > Money::ZERO {
        return Err(Error::CashNotDue {
            total,
            tendered: tender.cash_tendered,
        });
    }
    if tender.cash_tendered < cash_due {
        return Err(Error::CashShort {
            due: cash_due,
            tendered: tender.cash_tendered,
            missing: cash_due - tender.cash_tendered,
        });
    }
    let change = tender.cash_tendered - cash_due;
    if change > max_change {
        return Err(Error::AbsurdChange {
            change,
            limit: max_change,
        });
    }
    Ok(PaymentPlan {
        card: tender.card,
        cash_due,
        cash_tendered: tender.cash_tendered,
        change,
    })
}

impl PaymentPlan {
    /// The payment rows, given the card reference if a card was charged.
    pub fn rows(
        &self,
        ids: &mut dyn FnMut() -> String,
        card_ref: Option<String>,
    ) -> Vec<NewPayment> {
        let mut out = Vec::new();
        if let (true, Some(reference)) = (self.card > Money::ZERO, card_ref) {
            out.push(NewPayment {
                id: ids(),
                amount: self.card,
                method: PaymentMethod::Card { reference },
            });
        }
        if self.cash_due > Money::ZERO {
            out.push(NewPayment {
                id: ids(),
                amount: self.cash_due,
                method: PaymentMethod::Cash {
                    tendered: self.cash_tendered,
                    change: self.change,
                },
            });
        }
        out
    }
}

/// The external card terminal.
pub trait PaymentTerminal: Send {
    /// Charges `amount`; returns the terminal's transaction reference.
    fn charge(&mut self, amount: Money, order_id: &str) -> Result<String, String>;
    /// Refunds `amount` of an earlier charge; returns the refund's reference.
    fn refund(&mut self, amount: Money, reference: &str) -> Result<String, String>;
}

/// A stand-in for the card terminal, the one simulated part of the desk: it approves with
/// references `SIM-000001`, `SIM-000002`… and can be told to decline the next charge.
#[derive(Debug, Default)]
pub struct PaymentTerminalSimulator {
    next: u32,
    /// When set, the next charge is declined with this reason.
    pub decline_next: Option<String>,
    /// Every approved charge and refund: (reference, amount, is_refund).
    pub journal: Vec<(String, Money, bool)>,
}

impl PaymentTerminal for PaymentTerminalSimulator {
    fn charge(&mut self, amount: Money, _order_id: &str) -> Result<String, String> {
        if let Some(reason) = self.decline_next.take() {
            return Err(reason);
        }
        self.next += 1;
        let reference = format!("SIM-{:06}", self.next);
        self.journal.push((reference.clone(), amount, false));
        Ok(reference)
    }
    fn refund(&mut self, amount: Money, reference: &str) -> Result<String, String> {
        self.next += 1;
        let r = format!("SIM-{:06}-R-{reference}", self.next);
        self.journal.push((r.clone(), amount, true));
        Ok(r)
    }
}

/// A shared terminal, so a test can keep a handle on the simulator the desk uses.
impl<T: PaymentTerminal> PaymentTerminal for std::sync::Arc<std::sync::Mutex<T>> {
    fn charge(&mut self, amount: Money, order_id: &str) -> Result<String, String> {
        self.lock()
            .map_err(|_| "terminal unavailable".to_string())?
            .charge(amount, order_id)
    }
    fn refund(&mut self, amount: Money, reference: &str) -> Result<String, String> {
        self.lock()
            .map_err(|_| "terminal unavailable".to_string())?
            .refund(amount, reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Money = Money::from_euros(500);

    #[test]
    fn split_payment_gives_change_on_the_cash_part_only() {
        // 100 € order, 60 € on card, 50 € cash handed over: 40 € due in cash, 10 € back.
        let p = plan(
            Money::from_euros(100),
            Tender {
                card: Money::from_euros(60),
                cash_tendered: Money::from_euros(50),
            },
            LIMIT,
        )
        .unwrap();
        assert_eq!(p.cash_due, Money::from_euros(40));
        assert_eq!(p.change, Money::from_euros(10));
    }

    #[test]
    fn every_bad_tender_is_refused_with_its_numbers() {
        let t = Money::from_euros(100);
        let e = |card: i64, cash: i64| {
            plan(
                t,
                Tender {
                    card: Money::from_cents(card),
                    cash_tendered: Money::from_cents(cash),
                },
                LIMIT,
            )
            .unwrap_err()
        };
        assert_eq!(e(-1, 0).code(), "NEGATIVE_AMOUNT");
        assert_eq!(e(0, -500).code(), "NEGATIVE_AMOUNT");
        assert_eq!(e(10_001, 0).code(), "CARD_OVER_TOTAL");
        assert_eq!(e(10_000, 100).code(), "CASH_NOT_DUE");
        let short = e(0, 9_000);
        assert_eq!(short.code(), "CASH_SHORT");
        assert!(
            short.to_string().contains("10.00 €"),
            "names what is missing: {short}"
        );
        // 100,000 € handed over for a 100 € order is a typing slip, not a sale.
        assert_eq!(e(0, 10_000_000).code(), "ABSURD_CHANGE");
    }
}
