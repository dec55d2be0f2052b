using Engine.Scratch;

namespace Chapters.Ch24;

/// <summary>24.1 — MulLayer: buy apples (DLfS 5.4.1).</summary>
public sealed class Ex24_1_MulLayerApples : Exercise
{
    public override string Id => "24.1";
    public override string Title => "MulLayer: buy apples (forward and backward)";

    public override void Run(ExerciseContext ctx)
    {
        double apple = 100, appleNum = 2, tax = 1.1;
        var mulAppleLayer = new MulLayer();
        var mulTaxLayer = new MulLayer();

        double applePrice = mulAppleLayer.Forward(apple, appleNum);
        double price = mulTaxLayer.Forward(applePrice, tax);

        double dprice = 1;
        var (dApplePrice, dTax) = mulTaxLayer.Backward(dprice);
        var (dApple, dAppleNum) = mulAppleLayer.Backward(dApplePrice);

        ctx.Print($"price: {Fmt(price)}");
        ctx.Print($"dApple: {Fmt(dApple)}, dApple_num: {Fmt(dAppleNum)}, dTax: {Fmt(dTax)}");
        ctx.Expect("price", "220", Fmt(price));
        ctx.Expect("dApple", "2.2", Fmt(dApple));
        ctx.Expect("dApple_num", "110", Fmt(dAppleNum));
        ctx.Expect("dTax", "200", Fmt(dTax));
    }

    /// <summary>Rounds away float noise the way the book prints (220.00000000000003 → 220).</summary>
    internal static string Fmt(double v) => Math.Round(v, 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
